"""Checklists (自查核查表) of the rectification store: answers that the park's data cannot give, per enterprise or for
the park, filled by the responsible user and confirmed by an inspector, with an append-only, hash-chained history.

A mixin of :class:`geodata.store.base.RectificationStore` (same connection helpers on both backends). The history
table ``checklist_history`` is the only table: every fill and every confirmation is a new row, never updated or
deleted (database triggers refuse it on both backends); the current state of an item is its last ``fill`` row,
confirmed when a ``confirm`` row for that version follows it. Each row carries ``prev_hash`` (the previous row's
``row_hash``) and its own ``row_hash`` (:func:`geodata.store.audit.history_row_hash`), so
:meth:`ChecklistMixin.verify_checklists` finds any row edited, removed or reordered.

Scopes and who may do what (:mod:`geodata.store.roles`):

============== =================================== ===============================
scope          fill                                confirm
============== =================================== ===============================
``enterprise`` that enterprise's user; admin       inspector; admin
``park``       admin                               inspector; admin
============== =================================== ===============================

Everyone who may read items reads checklists (an enterprise user only its own enterprise's).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from geodata.store import audit
from geodata.store.errors import ConcurrentEditError, PermissionDeniedError
from geodata.store.records import iso_timestamp as _ts
from geodata.store.roles import User, can_see

__all__ = [
    "ChecklistMixin",
    "CHECKLIST_SCOPES",
    "CHECKLIST_COLUMNS",
    "CHECKLIST_HISTORY_COLUMNS",
    "CHECKLIST_SQLITE_DDL",
    "CHECKLIST_PG_DDL",
]

#: Checklist scopes: one checklist per enterprise (enterprise_id) or per park (park_id).
CHECKLIST_SCOPES: tuple[str, ...] = ("enterprise", "park")
#: Columns of a history row (without hist_id and the chain columns), in order.
CHECKLIST_HISTORY_COLUMNS: tuple[str, ...] = (
    "scope",
    "scope_id",
    "item_key",
    "action",
    "value",
    "evidence",
    "username",
    "role",
    "at",
    "version",
)
#: Columns of :meth:`ChecklistMixin.checklist`.
CHECKLIST_COLUMNS: tuple[str, ...] = (
    "item_key",
    "value",
    "evidence",
    "filled_by",
    "filled_at",
    "version",
    "confirmed",
    "confirmed_by",
    "confirmed_at",
)

_COLS_SQL = """scope TEXT NOT NULL, scope_id TEXT NOT NULL, item_key TEXT NOT NULL, action TEXT NOT NULL,
    value TEXT, evidence TEXT, username TEXT NOT NULL, role TEXT NOT NULL, at TEXT NOT NULL,
    version INTEGER NOT NULL, prev_hash TEXT NOT NULL, row_hash TEXT NOT NULL"""
CHECKLIST_SQLITE_DDL: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS checklist_history (hist_id INTEGER PRIMARY KEY AUTOINCREMENT, {_COLS_SQL})",
    "CREATE INDEX IF NOT EXISTS checklist_history_key ON checklist_history (scope, scope_id, item_key)",
    """CREATE TRIGGER IF NOT EXISTS checklist_history_no_update BEFORE UPDATE ON checklist_history
        BEGIN SELECT RAISE(ABORT, 'checklist_history is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS checklist_history_no_delete BEFORE DELETE ON checklist_history
        BEGIN SELECT RAISE(ABORT, 'checklist_history is append-only'); END""",
)
CHECKLIST_PG_DDL: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS checklist_history (hist_id BIGSERIAL PRIMARY KEY, {_COLS_SQL})",
    "CREATE INDEX IF NOT EXISTS checklist_history_key ON checklist_history (scope, scope_id, item_key)",
    "DROP TRIGGER IF EXISTS checklist_history_no_change ON checklist_history",
    """CREATE TRIGGER checklist_history_no_change BEFORE UPDATE OR DELETE ON checklist_history
    FOR EACH ROW EXECUTE FUNCTION history_append_only()""",
    "DROP TRIGGER IF EXISTS checklist_history_no_truncate ON checklist_history",
    """CREATE TRIGGER checklist_history_no_truncate BEFORE TRUNCATE ON checklist_history
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only()""",
)

_SCOPE_ZH = {"enterprise": "企业", "park": "园区"}


def _check_scope(scope: str, scope_id: str) -> None:
    if scope not in CHECKLIST_SCOPES:
        raise ValueError(f"scope={scope!r} 不是有效的核查表范围；可选 / allowed: {list(CHECKLIST_SCOPES)}")
    if not isinstance(scope_id, str) or not scope_id.strip():
        raise ValueError(
            f"scope_id={scope_id!r}：请给出{_SCOPE_ZH[scope]}编号 / scope_id must be a non-empty id"
        )


def _visible(user: User, scope: str, scope_id: str) -> bool:
    return can_see(user, scope_id if scope == "enterprise" else None)


def _may_fill(user: User, scope: str, scope_id: str) -> bool:
    if user.role == "admin":
        return True
    return scope == "enterprise" and user.role == "enterprise" and str(user.enterprise_id) == scope_id


def _deny(user: User, what: str, scope: str, scope_id: str) -> PermissionDeniedError:
    return PermissionDeniedError(
        f"用户 {user.username}（{user.role_zh}）无权{what}{_SCOPE_ZH[scope]} {scope_id} 的核查表；企业核查表由本企业"
        "用户填报、验收人员确认，园区核查表由园区管理员填报 / "
        f"role {user.role!r} may not {what} the {scope} checklist {scope_id!r}"
    )


def _encode(key: str, value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"核查项 {key} 的值 {value!r} 无法保存：只能是数字、文本、是/否或空 / value must be JSON-serialisable"
        ) from exc


class ChecklistMixin:
    """Checklist entries per enterprise or park, with append-only hash-chained history."""

    def _checklist_rows(self, conn: Any, where: str = "", params: tuple = ()) -> pd.DataFrame:
        cols = ("hist_id", *CHECKLIST_HISTORY_COLUMNS, "prev_hash", "row_hash")
        rows = self._x(
            conn, f"SELECT {', '.join(cols)} FROM checklist_history {where} ORDER BY hist_id", params
        ).fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=list(cols), dtype=object)  # None stays None

    def _append_checklist(self, conn: Any, row: dict[str, Any]) -> None:
        last = self._x(
            conn, "SELECT row_hash FROM checklist_history ORDER BY hist_id DESC LIMIT 1"
        ).fetchone()
        row["prev_hash"] = last[0] if last else audit.GENESIS
        row["row_hash"] = audit.history_row_hash(row, CHECKLIST_HISTORY_COLUMNS)
        cols = (*CHECKLIST_HISTORY_COLUMNS, "prev_hash", "row_hash")
        self._x(
            conn,
            f"INSERT INTO checklist_history ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            tuple(row[c] for c in cols),
        )

    def fill_checklist(
        self,
        user: User,
        scope: str,
        scope_id: str,
        entries: Iterable[Mapping[str, Any]],
    ) -> pd.DataFrame:
        """Record answers (one transaction): each entry ``{item_key, value, evidence?, expected_version?}``.

        ``expected_version`` (the version read, 0 for an item never filled) guards against overwriting someone
        else's answer (:class:`ConcurrentEditError`). A new answer needs a new confirmation. Returns
        :meth:`checklist` after the write.
        """
        _check_scope(scope, scope_id)
        if not _may_fill(user, scope, scope_id):
            raise _deny(user, "填报", scope, scope_id)
        entries = list(entries)
        for e in entries:
            key = e.get("item_key")
            if not isinstance(key, str) or not key.strip():
                raise ValueError(f"item_key={key!r}：每条核查项必须有编号 / every entry needs an item_key")
            for label, v in (
                ("核查项编号", key),
                ("核查项的值", e.get("value")),
                ("依据", e.get("evidence")),
            ):
                if audit.has_nul(v):
                    raise ValueError(
                        f"「{label}」含有空字符 NUL（\\x00），无法保存：{v!r}。{audit.NUL_FIX_ZH}"
                    )
        with self._write(chain=True) as conn:
            at = _ts(self._now())
            for e in entries:
                key = e["item_key"]
                cur = self._x(
                    conn,
                    "SELECT MAX(version) FROM checklist_history WHERE scope = ? AND scope_id = ? AND item_key = ?",
                    (scope, scope_id, key),
                ).fetchone()[0]
                cur = int(cur or 0)
                want = e.get("expected_version")
                if want is not None and int(want) != cur:
                    raise ConcurrentEditError(f"{_SCOPE_ZH[scope]} {scope_id} 核查项 {key}", int(want), cur)
                self._append_checklist(
                    conn,
                    {
                        "scope": scope,
                        "scope_id": scope_id,
                        "item_key": key,
                        "action": "fill",
                        "value": _encode(key, e.get("value")),
                        "evidence": str(e.get("evidence") or ""),
                        "username": user.username,
                        "role": user.role,
                        "at": at,
                        "version": cur + 1,
                    },
                )
        return self.checklist(user, scope, scope_id)

    def confirm_checklist(
        self,
        user: User,
        scope: str,
        scope_id: str,
        item_key: str,
        *,
        expected_version: int,
        comment: str = "",
    ) -> pd.DataFrame:
        """An inspector (or admin) confirms the answer of ``item_key`` at ``expected_version`` (the version shown).

        Raises :class:`ConcurrentEditError` when the answer changed since, :class:`LookupError` when the item was
        never filled.
        """
        _check_scope(scope, scope_id)
        if user.role not in ("inspector", "admin"):
            raise _deny(user, "确认", scope, scope_id)
        if audit.has_nul(comment):
            raise ValueError(
                f"「确认意见」含有空字符 NUL（\\x00），无法保存：{comment!r}。{audit.NUL_FIX_ZH}"
            )
        with self._write(chain=True) as conn:
            cur = self._x(
                conn,
                "SELECT MAX(version) FROM checklist_history WHERE scope = ? AND scope_id = ? AND item_key = ?",
                (scope, scope_id, item_key),
            ).fetchone()[0]
            if cur is None:
                raise LookupError(
                    f"{_SCOPE_ZH[scope]} {scope_id} 的核查项 {item_key} 尚未填报，无法确认 / item was never filled"
                )
            if int(cur) != int(expected_version):
                raise ConcurrentEditError(
                    f"{_SCOPE_ZH[scope]} {scope_id} 核查项 {item_key}", int(expected_version), int(cur)
                )
            self._append_checklist(
                conn,
                {
                    "scope": scope,
                    "scope_id": scope_id,
                    "item_key": item_key,
                    "action": "confirm",
                    "value": None,
                    "evidence": comment,
                    "username": user.username,
                    "role": user.role,
                    "at": _ts(self._now()),
                    "version": int(cur),
                },
            )
        return self.checklist(user, scope, scope_id)

    def checklist(self, user: User, scope: str, scope_id: str) -> pd.DataFrame:
        """Current answers: one row per item (:data:`CHECKLIST_COLUMNS`; ``value`` decoded)."""
        _check_scope(scope, scope_id)
        if not _visible(user, scope, scope_id):
            raise _deny(user, "查看", scope, scope_id)
        with self._read() as conn:
            hist = self._checklist_rows(conn, "WHERE scope = ? AND scope_id = ?", (scope, scope_id))
        out = []
        for key, g in hist.groupby("item_key", sort=True):
            fill = g[g["action"] == "fill"].iloc[-1]
            conf = g[(g["action"] == "confirm") & (g["version"] == fill["version"])]
            c = conf.iloc[-1] if len(conf) else None
            out.append(
                {
                    "item_key": key,
                    "value": json.loads(fill["value"]),
                    "evidence": fill["evidence"],
                    "filled_by": fill["username"],
                    "filled_at": fill["at"],
                    "version": int(fill["version"]),
                    "confirmed": c is not None,
                    "confirmed_by": None if c is None else c["username"],
                    "confirmed_at": None if c is None else c["at"],
                }
            )
        frame = pd.DataFrame(out, columns=list(CHECKLIST_COLUMNS))
        frame["value"] = pd.Series(
            [o["value"] for o in out], index=frame.index, dtype=object
        )  # answers as given
        return frame

    def checklist_history(
        self, user: User, scope: str, scope_id: str, item_key: str | None = None
    ) -> pd.DataFrame:
        """Every fill and confirmation of a checklist (or of one item), oldest first."""
        _check_scope(scope, scope_id)
        if not _visible(user, scope, scope_id):
            raise _deny(user, "查看", scope, scope_id)
        where, params = "WHERE scope = ? AND scope_id = ?", (scope, scope_id)
        if item_key is not None:
            where, params = where + " AND item_key = ?", (*params, item_key)
        with self._read() as conn:
            return self._checklist_rows(conn, where, params)

    def verify_checklists(self, user: User) -> list[str]:
        """Chinese descriptions of every break of the checklist history chain (empty: intact). Admin/inspector."""
        if user.role not in ("admin", "inspector"):
            raise PermissionDeniedError(f"用户 {user.username}（{user.role_zh}）无权校验核查表历史 / verify")
        with self._read() as conn:
            hist = self._checklist_rows(conn)
        problems, prev = [], audit.GENESIS
        for row in hist.to_dict("records"):
            if row["prev_hash"] != prev:
                problems.append(
                    f"核查表历史第 {row['hist_id']} 条之前的记录被删除、插入或调换 / chain link broken"
                )
            if audit.history_row_hash(row, CHECKLIST_HISTORY_COLUMNS) != row["row_hash"]:
                problems.append(f"核查表历史第 {row['hist_id']} 条的内容被修改 / row edited")
            prev = row["row_hash"]
        return problems
