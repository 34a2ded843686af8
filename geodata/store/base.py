"""The rectification store interface and the SQL both backends share.

Every public method takes the acting :class:`~geodata.store.roles.User` first and checks the role before touching
data. Every write runs in ONE database transaction: it either happens completely or not at all. Item edits are
guarded by optimistic concurrency: the caller passes the ``version`` it read, and a write whose version no longer
matches raises :class:`~geodata.store.errors.ConcurrentEditError` instead of overwriting the other person's change.
The history table is append-only (database triggers refuse UPDATE and DELETE) and hash-chained
(:mod:`geodata.store.audit`): every history row is written with the hash of the item's new state and of the row
before it, in the transaction of the change, and :meth:`RectificationStore.verify` finds any record edited, deleted
or reordered and any item changed without a record.

The time recorded in the history is the store's clock (UTC now); callers cannot choose it. Tests set a clock with
:func:`geodata.store.testing.use_clock`.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geodata.store import audit, lifecycle
from geodata.store.accounts import AccountsMixin
from geodata.store.chain import HASHED_COLUMNS as _HASHED_COLUMNS
from geodata.store.chain import HISTORY_COLUMNS, ChainMixin
from geodata.store.checklists import ChecklistMixin
from geodata.store.errors import (
    ConcurrentEditError,
    DuplicateItemError,
    ImportProblem,
    ImportValidationError,
    ItemNotFoundError,
    StoreError,
    StoreWriteError,
)
from geodata.store.records import (
    DATE_COLUMNS,
    ITEM_COLUMNS,
    SPEC,
    Item,
    is_missing,
    normalise_record,
    to_iso_date,
    utcnow,
)
from geodata.store.records import iso_timestamp as _ts
from geodata.store.roles import User, can_see, require

__all__ = ["RectificationStore", "HISTORY_COLUMNS", "EDITABLE_COLUMNS", "utcnow"]

log = logging.getLogger(__name__)

#: Columns :meth:`RectificationStore.update_fields` may change (status, deadline and closed_on have their own calls).
EDITABLE_COLUMNS: tuple[str, ...] = (
    "park_id",
    "enterprise_id",
    "title",
    "category",
    "hazard_level",
    "source",
    "found_on",
    "responsible",
    "major_hazard_item",
    "measures",
    "funds_cny",
    "contingency_plan",
    "geometry",
)
_SELECT_COLS = ", ".join(ITEM_COLUMNS)
_INT_COLUMNS = frozenset(c.name for c in SPEC.columns if c.dtype == "int")
_FLOAT_COLUMNS = frozenset(c.name for c in SPEC.columns if c.dtype == "float")
_HIST_SELECT = ", ".join(f"h.{c}" for c in HISTORY_COLUMNS)


def _reraise(translated: BaseException | None, exc: BaseException) -> None:
    if translated is None:
        raise exc
    raise translated from exc


_ERRNO_REASON = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EROFS: "read_only",
    errno.EACCES: "read_only",
    errno.EPERM: "read_only",
    errno.EIO: "io",
}


def _os_write_error(target: str, exc: BaseException) -> StoreWriteError | None:
    """StoreWriteError for an OSError met while writing (full disk, read-only file system, I/O), else None."""
    if isinstance(exc, StoreError) or not isinstance(exc, OSError):  # PermissionDeniedError is an OSError too
        return None
    reason = _ERRNO_REASON.get(exc.errno or 0, "io")
    return StoreWriteError(target, reason, str(exc))


def _check_text(label_zh: str, value: Any) -> None:
    if audit.has_nul(value):
        raise ValueError(
            f"「{label_zh}」含有空字符 NUL（\\x00），无法保存：{value!r}。{audit.NUL_FIX_ZH} / text contains a NUL character"
        )


def _date_out(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)[:10]


class RectificationStore(AccountsMixin, ChainMixin, ChecklistMixin, ABC):
    """Durable, multi-user storage of rectification items with history, users, sessions and finding links.

    Use :func:`geodata.store.open_store` to get one (a GeoPackage path or a ``postgresql://`` URL). The store is
    thread-safe: each thread uses its own database connection.
    """

    #: backend name ("gpkg" or "postgis")
    backend: str = ""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all_conns: list[Any] = []
        self._conns_lock = threading.Lock()
        self._clock: Callable[[], dt.datetime] = utcnow

    def _now(self) -> dt.datetime:
        """The store's clock (UTC now; tests replace it with geodata.store.testing.use_clock)."""
        return self._clock()

    # -- backend hooks ------------------------------------------------------------------------------------------
    @abstractmethod
    def _new_connection(self) -> Any: ...

    @abstractmethod
    def _begin_write(self, conn: Any) -> Callable[[bool], None]:
        """Start a write transaction; return ``end(commit)``."""

    @abstractmethod
    def _create_schema(self, conn: Any) -> None: ...

    @abstractmethod
    def _geom_param(self, geom: BaseGeometry) -> Any: ...

    @abstractmethod
    def _geom_value(self, raw: Any) -> BaseGeometry | None: ...

    #: SQL expression placeholder for a geometry parameter / select expression for the geometry column
    _geom_in = "?"
    _geom_out = "geom"
    _for_update = ""

    def _sql(self, sql: str) -> str:
        return sql

    def _lock_chain(self, conn: Any) -> None:
        """Serialise appends to the history chain within a write transaction (GeoPackage: BEGIN IMMEDIATE does)."""
        return None

    def _write_error(self, exc: BaseException) -> StoreWriteError | None:
        """The store's message for a backend error of a write (full disk, read-only, I/O), or None."""
        return _os_write_error(str(self), exc)

    def _schema_current(self, conn: Any) -> bool:
        """Whether every table, column and trigger exists already (then opening the store writes nothing)."""
        return False

    # -- connections and transactions ------------------------------------------------------------------------------
    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._new_connection()
            self._local.conn = conn
            with self._conns_lock:
                self._all_conns.append(conn)
        return conn

    def _x(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(self._sql(sql), tuple(params))

    @contextmanager
    def _write(self, *, chain: bool = False) -> Iterator[Any]:
        """One write transaction; ``chain=True`` when it appends history (takes the chain lock first). A full disk,
        a read-only store or an I/O error becomes :class:`StoreWriteError` after the rollback."""
        try:
            conn = self._conn()
            end = self._begin_write(conn)
        except Exception as exc:
            _reraise(self._write_error(exc), exc)
        try:
            if chain:
                self._lock_chain(conn)
            yield conn
        except BaseException as exc:
            try:
                end(False)
            except Exception:  # noqa: BLE001 - the rollback of a failed write must not hide the real error
                log.debug("rollback failed", exc_info=True)
            translated = self._write_error(exc) if isinstance(exc, Exception) else None
            if translated is not None:
                raise translated from exc
            raise
        try:
            end(True)
        except Exception as exc:
            _reraise(self._write_error(exc), exc)

    @contextmanager
    def _read(self) -> Iterator[Any]:
        yield self._conn()

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        with self._conns_lock:
            conns, self._all_conns = self._all_conns, []
        for c in conns:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not hide the real error
                log.debug("closing a connection failed", exc_info=True)
        self._local = threading.local()

    def __enter__(self) -> RectificationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def initialise(self) -> None:
        """Create the tables when they do not exist and migrate older stores (idempotent). Writes nothing when the
        schema is current, so a read-only store can be opened and read."""
        with self._read() as conn:
            if self._schema_current(conn):
                return
        with self._write() as conn:
            self._create_schema(conn)

    # -- reading items -------------------------------------------------------------------------------------------
    def _row_to_item(self, row: Sequence[Any]) -> Item:
        vals = dict(zip(ITEM_COLUMNS, row[: len(ITEM_COLUMNS)], strict=True))
        for c in DATE_COLUMNS:
            vals[c] = _date_out(vals[c])
        return Item(**vals, version=int(row[len(ITEM_COLUMNS)]), geometry=self._geom_value(row[-1]))

    def _fetch(self, conn: Any, item_id: str, *, lock: bool = False) -> Item | None:
        sql = f"SELECT {_SELECT_COLS}, version, {self._geom_out} FROM rectifications WHERE item_id = ?" + (
            self._for_update if lock else ""
        )
        row = self._x(conn, sql, (item_id,)).fetchone()
        return None if row is None else self._row_to_item(row)

    def get_item(self, user: User, item_id: str) -> Item:
        """One item.

        Raises
        ------
        ItemNotFoundError
        PermissionDeniedError
            If ``user`` may not see it (an enterprise user asking for another enterprise's item).
        """
        with self._read() as conn:
            item = self._fetch(conn, item_id)
        if item is None:
            require(user, "read")
            raise ItemNotFoundError(item_id)
        require(user, "read", item_id=item_id, enterprise_id=item.enterprise_id)
        return item

    def list_items(self, user: User) -> list[Item]:
        """Every item ``user`` may see (an enterprise user: only its enterprise's), ordered by item_id."""
        require(user, "read")
        sql = f"SELECT {_SELECT_COLS}, version, {self._geom_out} FROM rectifications"
        params: tuple[Any, ...] = ()
        if user.role == "enterprise":
            sql += " WHERE enterprise_id = ?"
            params = (user.enterprise_id,)
        sql += " ORDER BY item_id"
        with self._read() as conn:
            rows = self._x(conn, sql, params).fetchall()
        items = [self._row_to_item(r) for r in rows]
        return [it for it in items if can_see(user, it.enterprise_id)]

    def items_frame(self, user: User) -> gpd.GeoDataFrame:
        """:meth:`list_items` as a GeoDataFrame in EPSG:4326 with the schema dtypes (dates as ``datetime64``)
        plus a ``version`` column."""
        items = self.list_items(user)
        data = {c: [getattr(it, c) for it in items] for c in ITEM_COLUMNS}
        df = pd.DataFrame(data, columns=list(ITEM_COLUMNS))
        for c in ITEM_COLUMNS:
            if c in DATE_COLUMNS:
                df[c] = pd.to_datetime(df[c], format="%Y-%m-%d").astype("datetime64[ms]")
            elif c in _INT_COLUMNS:
                df[c] = pd.array([None if is_missing(v) else int(v) for v in df[c]], dtype="Int64")
            elif c in _FLOAT_COLUMNS:
                df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
            else:
                df[c] = df[c].astype("string").astype(object).where(df[c].notna(), None)
        df["version"] = pd.Series([it.version for it in items], dtype="int64")
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([it.geometry for it in items], crs=4326), crs=4326)

    def history(self, user: User, item_id: str | None = None) -> pd.DataFrame:
        """The history records (oldest first) of one item, or of every item ``user`` may see."""
        if item_id is not None:
            self.get_item(user, item_id)  # permission check
            sql, params = (
                f"SELECT {_HIST_SELECT} FROM history h WHERE h.item_id = ? ORDER BY h.hist_id",
                (item_id,),
            )
        else:
            require(user, "read")
            sql, params = f"SELECT {_HIST_SELECT} FROM history h ORDER BY h.hist_id", ()
            if user.role == "enterprise":
                sql = (
                    f"SELECT {_HIST_SELECT} FROM history h JOIN rectifications r ON r.item_id = h.item_id "
                    "WHERE r.enterprise_id = ? ORDER BY h.hist_id"
                )
                params = (user.enterprise_id,)
        with self._read() as conn:
            rows = self._x(conn, sql, params).fetchall()
        df = pd.DataFrame([tuple(r) for r in rows], columns=list(HISTORY_COLUMNS), dtype=object)
        for c in ("old_deadline", "new_deadline"):
            df[c] = pd.Series([_date_out(v) for v in df[c]], index=df.index, dtype=object)
        df["hist_id"] = df["hist_id"].astype("int64")
        df["version"] = df["version"].astype("int64")
        return df

    def extensions(self, user: User, item_id: str) -> pd.DataFrame:
        """Deadline extensions of an item (old deadline, new deadline, reason, approved_by, who, when)."""
        h = self.history(user, item_id)
        h = h[h["action"] == "extend"]
        return h[
            ["item_id", "at", "username", "old_deadline", "new_deadline", "reason", "approved_by"]
        ].reset_index(drop=True)

    def count_items(self) -> int:
        """Number of items (no role needed: a count reveals nothing; used to decide first-run initialisation)."""
        with self._read() as conn:
            return int(self._x(conn, "SELECT COUNT(*) FROM rectifications").fetchone()[0])

    # -- writing items -------------------------------------------------------------------------------------------
    def _insert_item(self, conn: Any, rec: Mapping[str, Any], *, user: User, at: str, comment: str) -> None:
        cols = list(ITEM_COLUMNS)
        sql = (
            f"INSERT INTO rectifications ({', '.join(cols)}, version, geom) VALUES "
            f"({', '.join('?' for _ in cols)}, 1, {self._geom_in})"
        )
        self._x(conn, sql, [rec[c] for c in cols] + [self._geom_param(rec["geometry"])])
        self._history(
            conn,
            item=self._fetch(conn, rec["item_id"]),
            item_id=rec["item_id"],
            at=at,
            user=user,
            action="create",
            from_state=None,
            to_state=rec["status"],
            comment=comment,
            version=1,
        )

    def _history(
        self,
        conn: Any,
        *,
        item: Item | None,
        item_id: str,
        at: str,
        user: User,
        action: str,
        from_state: str | None,
        to_state: str | None,
        comment: str = "",
        version: int,
        old_deadline: str | None = None,
        new_deadline: str | None = None,
        reason: str | None = None,
        approved_by: str | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> None:
        """Append one history row to the chain (the caller holds the chain lock: ``_write(chain=True)``).
        ``item`` is the item's state after the change (its hash is recorded)."""
        for label, text in (("备注", comment), ("原因", reason), ("批准人", approved_by)):
            _check_text(label, text)
        row: dict[str, Any] = dict(
            zip(
                _HASHED_COLUMNS,
                (
                    item_id,
                    at,
                    user.username,
                    user.role,
                    action,
                    from_state,
                    to_state,
                    comment or "",
                    old_deadline,
                    new_deadline,
                    reason,
                    approved_by,
                    version,
                    json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
                ),
                strict=True,
            )
        )
        _check_text("修改内容", row["changes"])
        last = self._x(conn, "SELECT row_hash FROM history ORDER BY hist_id DESC LIMIT 1").fetchone()
        row["item_hash"] = None if item is None else audit.item_state_hash(item)
        row["prev_hash"] = audit.GENESIS if last is None else last[0]
        row["row_hash"] = audit.history_row_hash(row, _HASHED_COLUMNS)
        cols = [*_HASHED_COLUMNS, *audit.CHAIN_COLUMNS]
        sql = f"INSERT INTO history ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
        self._x(conn, sql, [row[c] for c in cols])

    def _check_batch(self, records: Iterable[Mapping[str, Any]], *, first_row: int) -> list[dict[str, Any]]:
        clean: list[dict[str, Any]] = []
        problems = []
        seen: dict[str, int] = {}
        for i, rec in enumerate(records):
            row = first_row + i
            out, probs = normalise_record(rec, row=row)
            problems.extend(probs)
            iid = out.get("item_id")
            if iid:
                if iid in seen:
                    problems.append(
                        ImportProblem(
                            row,
                            "事项编号",
                            iid,
                            f"与第 {seen[iid]} 行的事项编号重复",
                            "请为每个事项使用唯一编号",
                        )
                    )
                seen.setdefault(iid, row)
            clean.append(out)
        if problems:
            raise ImportValidationError(problems)
        return clean

    def create_items(
        self,
        user: User,
        records: Iterable[Mapping[str, Any]],
        *,
        comment: str = "",
        first_row: int = 2,
    ) -> list[str]:
        """Add items in one transaction: all of them or none.

        Parameters
        ----------
        user : User
            Needs ``create`` (admin, inspector).
        records : iterable of mapping
            Schema columns of ``rectifications`` plus ``geometry`` (shapely, WGS84 lon/lat).
        comment : str
            Recorded in each item's first history entry (e.g. the source file).
        first_row : int
            Row number of the first record in problem reports (2 = first data row under a header row).

        Returns
        -------
        list of str
            The new item ids.

        Raises
        ------
        ImportValidationError
            If any record is bad (every problem listed); nothing is written.
        DuplicateItemError
            If an id exists already; nothing is written.
        PermissionDeniedError
        """
        require(user, "create")
        clean = self._check_batch(records, first_row=first_row)
        if (
            user.role == "enterprise"
        ):  # defensive: enterprise users cannot create, but never cross enterprises
            for rec in clean:
                require(user, "create", item_id=rec["item_id"], enterprise_id=rec["enterprise_id"])
        _check_text("备注", comment)
        at = _ts(self._now())
        with self._write(chain=True) as conn:
            self._refuse_duplicates(conn, [r["item_id"] for r in clean])
            for rec in clean:
                self._insert_item(conn, rec, user=user, at=at, comment=comment)
        return [r["item_id"] for r in clean]

    def import_items(
        self,
        user: User,
        records: Iterable[Mapping[str, Any]],
        *,
        source: str = "",
    ) -> list[str]:
        """Bulk import (e.g. an inspection list from Excel): like :meth:`create_items` but needs ``import``
        (admin); all-or-nothing."""
        require(user, "import")
        return self.create_items(user, records, comment=f"导入：{source}" if source else "导入")

    def _refuse_duplicates(self, conn: Any, ids: list[str]) -> None:
        existing: list[str] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            sql = f"SELECT item_id FROM rectifications WHERE item_id IN ({', '.join('?' for _ in chunk)})"
            existing.extend(r[0] for r in self._x(conn, sql, chunk).fetchall())
        if existing:
            raise DuplicateItemError(sorted(existing))

    def _mutate(
        self,
        user: User,
        item_id: str,
        *,
        expected_version: int,
        action: str,
        apply: Callable[[Item], tuple[dict[str, Any], dict[str, Any]]],
    ) -> Item:
        """Read-check-write of one item in one transaction: lock the row, check role and version, apply, bump the
        version (guarded again in the UPDATE), append history. ``apply(item) -> (column updates, history fields)``."""
        if not isinstance(expected_version, int) or isinstance(expected_version, bool):
            raise ValueError(
                f"expected_version={expected_version!r} 必须是整数（读取事项时得到的版本号） / must be the int version"
            )
        at = _ts(self._now())
        with self._write(chain=True) as conn:
            item = self._fetch(conn, item_id, lock=True)
            if item is None:
                require(user, action)
                raise ItemNotFoundError(item_id)
            require(user, action, item_id=item_id, enterprise_id=item.enterprise_id)
            if item.version != expected_version:
                raise ConcurrentEditError(item_id, expected_version, item.version)
            updates, hist = apply(item)
            if "enterprise_id" in updates:  # an edit may not move an item out of the user's own scope
                require(user, action, item_id=item_id, enterprise_id=updates["enterprise_id"])
            sets, params = [], []
            for col, val in updates.items():
                if col == "geometry":
                    sets.append(f"geom = {self._geom_in}")
                    params.append(self._geom_param(val))
                else:
                    sets.append(f"{col} = ?")
                    params.append(val)
            sets.append("version = version + 1")
            cur = self._x(
                conn,
                f"UPDATE rectifications SET {', '.join(sets)} WHERE item_id = ? AND version = ?",
                [*params, item_id, expected_version],
            )
            if cur.rowcount != 1:
                current = self._fetch(conn, item_id)
                raise ConcurrentEditError(
                    item_id, expected_version, None if current is None else current.version
                )
            new = self._fetch(conn, item_id)
            self._history(
                conn, item=new, item_id=item_id, at=at, user=user, version=expected_version + 1, **hist
            )
        assert new is not None
        return new

    def transition(
        self,
        user: User,
        item_id: str,
        to_state: str,
        *,
        expected_version: int,
        comment: str = "",
        closed_on: dt.date | str | None = None,
    ) -> Item:
        """Move an item to ``to_state`` (see :data:`geodata.store.lifecycle.TRANSITIONS`).

        Parameters
        ----------
        closed_on : date, optional
            Closing date when accepting (default: today, UTC). Reopening clears it.

        Raises
        ------
        IllegalTransitionError
            If the lifecycle does not allow it (Chinese message naming the item, both states and the allowed ones).
        ValueError
            If a reopen or reject has no comment (the reason).
        ConcurrentEditError, PermissionDeniedError, ItemNotFoundError
        """
        if to_state not in lifecycle.STATUSES:
            raise ValueError(
                f"to_state={to_state!r} 不是整改状态 / unknown state; 可选 / allowed: {list(lifecycle.STATUSES)}"
            )

        def apply(item: Item) -> tuple[dict[str, Any], dict[str, Any]]:
            action = lifecycle.check_transition(item.item_id, item.status, to_state)
            require(user, action, item_id=item.item_id, enterprise_id=item.enterprise_id)
            if action in lifecycle.REASON_REQUIRED and not comment.strip():
                raise ValueError(
                    f"整改事项 {item.item_id}：{lifecycle.ACTION_LABELS_ZH[action]}必须填写原因（comment） / "
                    f"{action} needs a reason"
                )
            updates: dict[str, Any] = {"status": to_state}
            if to_state == "closed":
                updates["closed_on"] = to_iso_date(closed_on) or self._now().date().isoformat()
                if updates["closed_on"] < item.found_on:
                    raise ValueError(
                        f"closed_on={updates['closed_on']} 早于发现日期 {item.found_on} / closing date before found_on"
                    )
            elif item.closed_on is not None:
                updates["closed_on"] = None
            hist = {"action": action, "from_state": item.status, "to_state": to_state, "comment": comment}
            if action in ("reopen", "reject"):
                hist["reason"] = comment
            return updates, hist

        # "read" here checks the item is visible to the user; apply() checks the transition's own action.
        return self._mutate(user, item_id, expected_version=expected_version, action="read", apply=apply)

    def add_progress(self, user: User, item_id: str, *, expected_version: int, comment: str) -> Item:
        """Record a progress note (整改进展) without changing the status. Needs ``progress``."""
        if not str(comment).strip():
            raise ValueError("comment 不能为空：请填写整改进展 / a progress note needs text")

        def apply(item: Item) -> tuple[dict[str, Any], dict[str, Any]]:
            return {}, {
                "action": "progress",
                "from_state": item.status,
                "to_state": item.status,
                "comment": comment,
            }

        return self._mutate(user, item_id, expected_version=expected_version, action="progress", apply=apply)

    def update_fields(
        self,
        user: User,
        item_id: str,
        *,
        expected_version: int,
        changes: Mapping[str, Any],
        comment: str = "",
    ) -> Item:
        """Edit descriptive fields (:data:`EDITABLE_COLUMNS`). Needs ``edit`` (admin). The old and new values go
        into the history record.

        Raises
        ------
        ValueError
            For a column that is not editable here (status: use :meth:`transition`; deadline:
            :meth:`extend_deadline`) or a bad value.
        """
        bad = [c for c in changes if c not in EDITABLE_COLUMNS]
        if bad:
            raise ValueError(
                f"不能直接修改字段 {bad}：状态请用状态流转，整改期限请用延期申请；可直接修改的字段："
                f"{list(EDITABLE_COLUMNS)} / not editable: {bad}"
            )
        if not changes:
            raise ValueError("changes 为空：没有要修改的内容 / nothing to change")

        def apply(item: Item) -> tuple[dict[str, Any], dict[str, Any]]:
            merged = {**item.as_record(), **changes}
            clean, probs = normalise_record(merged, row=0)
            if probs:
                raise ValueError(
                    "修改内容有误：" + "；".join(f"「{p.column}」{p.message_zh}（{p.fix_zh}）" for p in probs)
                )
            changed = [*changes, *(["hazard_level"] if clean["hazard_level"] != item.hazard_level else [])]
            updates = {c: clean[c] for c in changed}  # citing one of the 20 items also makes it 重大隐患
            diff = {
                c: [
                    getattr(item, c).wkt if c == "geometry" else getattr(item, c),
                    clean[c].wkt if c == "geometry" else clean[c],
                ]
                for c in changed
            }
            return updates, {
                "action": "edit",
                "from_state": item.status,
                "to_state": item.status,
                "comment": comment,
                "changes": diff,
            }

        return self._mutate(user, item_id, expected_version=expected_version, action="edit", apply=apply)

    def extend_deadline(
        self,
        user: User,
        item_id: str,
        *,
        expected_version: int,
        new_deadline: dt.date | str,
        reason: str,
        approved_by: str | None = None,
    ) -> Item:
        """Extend the deadline (延期). The old and new deadlines, the reason and the approver are a history record
        of their own; the earlier deadlines stay in the history. Needs ``extend`` (admin).

        Raises
        ------
        ValueError
            No reason, a closed item, or a new deadline not after the current one.
        """
        new = to_iso_date(new_deadline)
        if not new:
            raise ValueError(f"new_deadline={new_deadline!r} 不是日期 / not a date")
        if not str(reason).strip():
            raise ValueError("延期必须填写原因（reason） / an extension needs a reason")

        def apply(item: Item) -> tuple[dict[str, Any], dict[str, Any]]:
            if item.status == "closed":
                raise ValueError(
                    f"整改事项 {item.item_id} 已销号，不能延期 / a closed item cannot be extended"
                )
            if new <= item.deadline:
                raise ValueError(
                    f"new_deadline={new} 不晚于当前整改期限 {item.deadline}：延期只能推后 / must be after {item.deadline}"
                )
            return {"deadline": new}, {
                "action": "extend",
                "from_state": item.status,
                "to_state": item.status,
                "comment": reason,
                "old_deadline": item.deadline,
                "new_deadline": new,
                "reason": reason,
                "approved_by": approved_by or user.username,
            }

        return self._mutate(user, item_id, expected_version=expected_version, action="extend", apply=apply)

    # -- finding links -------------------------------------------------------------------------------------------
    def create_from_findings(
        self,
        user: User,
        proposals: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
    ) -> list[str]:
        """Create proposed items and their links to analysis findings in one transaction.

        ``proposals`` are ``(record, link)`` pairs; ``link`` has ``finding_key``, ``kind``, ``subject_ids`` (list of
        str) and ``description_zh``. Items whose finding is already linked to an item are skipped (returned list
        holds only new ids).
        """
        require(user, "create")
        pairs = list(proposals)
        at = _ts(self._now())
        with self._write(chain=True) as conn:
            keys = [str(link["finding_key"]) for _, link in pairs]
            linked: set[str] = set()
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                if chunk:
                    sql = f"SELECT finding_key FROM findings_links WHERE finding_key IN ({', '.join('?' for _ in chunk)})"
                    linked.update(r[0] for r in self._x(conn, sql, chunk).fetchall())
            todo = [(r, lk) for r, lk in pairs if str(lk["finding_key"]) not in linked]
            clean = self._check_batch([r for r, _ in todo], first_row=1)
            self._refuse_duplicates(conn, [r["item_id"] for r in clean])
            for rec, (_, link) in zip(clean, todo, strict=True):
                self._insert_item(
                    conn, rec, user=user, at=at, comment=f"由分析发现生成：{link['description_zh']}"
                )
                self._x(
                    conn,
                    "INSERT INTO findings_links (item_id, finding_key, kind, subject_ids, description_zh, created_at, "
                    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        rec["item_id"],
                        str(link["finding_key"]),
                        str(link["kind"]),
                        json.dumps(list(link.get("subject_ids", [])), ensure_ascii=False),
                        str(link.get("description_zh", "")),
                        at,
                        user.username,
                    ),
                )
        return [r["item_id"] for r in clean]

    def finding_links(self, user: User) -> pd.DataFrame:
        """Links item ↔ analysis finding of the items ``user`` may see."""
        visible = {it.item_id for it in self.list_items(user)}
        with self._read() as conn:
            rows = self._x(
                conn,
                "SELECT item_id, finding_key, kind, subject_ids, description_zh, created_at, created_by "
                "FROM findings_links ORDER BY item_id",
            ).fetchall()
        cols = ["item_id", "finding_key", "kind", "subject_ids", "description_zh", "created_at", "created_by"]
        df = pd.DataFrame([tuple(r) for r in rows], columns=cols)
        df["subject_ids"] = [json.loads(s) if s else [] for s in df["subject_ids"]]
        return df[df["item_id"].isin(visible)].reset_index(drop=True)
