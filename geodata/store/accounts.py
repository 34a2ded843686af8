"""Users, sign-in attempts and sessions of the rectification store (used by :mod:`app.auth`).

A mixin of :class:`geodata.store.base.RectificationStore`: the methods use its connection helpers (``_read``,
``_write``, ``_x``) and the same tables on both backends. The store never sees a password, only bcrypt hashes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import pandas as pd

from geodata.store.errors import PermissionDeniedError
from geodata.store.records import iso_timestamp as _ts
from geodata.store.records import utcnow
from geodata.store.roles import ROLES, User, require

__all__ = ["AccountsMixin", "REGION_SCOPE_PREFIX"]

#: Key prefix of a user's region scope in the ``store_meta`` table (value: JSON list of park ids).
REGION_SCOPE_PREFIX = "region_scope:"


class AccountsMixin:
    """Users, sign-in attempts and sessions."""

    def count_users(self) -> int:
        with self._read() as conn:
            return int(self._x(conn, "SELECT COUNT(*) FROM users").fetchone()[0])

    def add_user(
        self,
        actor: User | None,
        username: str,
        *,
        password_hash: str,
        role: str,
        enterprise_id: str | None = None,
        display_name: str = "",
        now: dt.datetime | None = None,
    ) -> User:
        """Add a user (``password_hash`` from :func:`app.auth.hash_password`; the store never sees passwords).

        ``actor`` must be an admin; ``None`` is accepted only while the store has no users (first run).
        """
        new = User(username=username, role=role, enterprise_id=enterprise_id, display_name=display_name)
        if role not in ROLES:
            raise ValueError(f"role={role!r}; 可选 / allowed: {list(ROLES)}")
        if not password_hash.startswith("$2"):
            raise ValueError(
                "password_hash 必须是 bcrypt 散列（由 app.auth.hash_password 生成） / must be a bcrypt hash"
            )
        with self._write() as conn:
            n = int(self._x(conn, "SELECT COUNT(*) FROM users").fetchone()[0])
            if actor is None:
                if n:
                    raise PermissionDeniedError(
                        "已有用户，新增用户须由园区管理员操作 / only an admin may add users"
                    )
            else:
                require(actor, "manage_users")
            if self._x(conn, "SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise ValueError(f"用户名 {username!r} 已存在 / user exists")
            self._x(
                conn,
                "INSERT INTO users (username, password_hash, role, enterprise_id, display_name, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (username, password_hash, role, enterprise_id, display_name, _ts(now or utcnow())),
            )
        return new

    def user_record(self, username: str) -> dict[str, Any] | None:
        """``{username, password_hash, role, enterprise_id, display_name}`` or None (for sign-in only)."""
        with self._read() as conn:
            row = self._x(
                conn,
                "SELECT username, password_hash, role, enterprise_id, display_name FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        if row is None:
            return None
        return dict(
            zip(("username", "password_hash", "role", "enterprise_id", "display_name"), row, strict=True)
        )

    def list_users(self, actor: User) -> pd.DataFrame:
        """Users without their hashes. Needs ``manage_users``."""
        require(actor, "manage_users")
        with self._read() as conn:
            rows = self._x(
                conn,
                "SELECT username, role, enterprise_id, display_name, created_at FROM users ORDER BY username",
            ).fetchall()
        return pd.DataFrame(
            [tuple(r) for r in rows],
            columns=["username", "role", "enterprise_id", "display_name", "created_at"],
        )

    def set_region_scope(self, actor: User, username: str, park_ids: Iterable[str] | None) -> None:
        """Limit what ``username`` sees on the region page (区域监管) to the parks ``park_ids`` (park ids of the
        parks layer); ``None`` removes the limit. Needs ``manage_users``. Kept in ``store_meta`` (one row per user;
        on PostGIS only the schema owner may write it, so set scopes with the owner's connection)."""
        require(actor, "manage_users")
        if self.user_record(username) is None:
            raise ValueError(f"用户 {username!r} 不存在：请先添加该用户，再设置其区域范围")
        key = REGION_SCOPE_PREFIX + username
        with self._write() as conn:
            if park_ids is None:
                self._x(conn, "DELETE FROM store_meta WHERE key = ?", (key,))
                return
            ids = sorted({str(p).strip() for p in park_ids})
            if not ids or "" in ids:
                raise ValueError(
                    f"区域范围 {list(park_ids)!r} 无效：应列出至少一个园区编号（园区图层的 park_id），且不能为空"
                )
            self._x(
                conn,
                "INSERT INTO store_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(ids, ensure_ascii=False)),
            )

    def region_scope(self, username: str) -> frozenset[str] | None:
        """The park ids ``username`` may see on the region page, or None when no scope was set."""
        with self._read() as conn:
            row = self._x(
                conn, "SELECT value FROM store_meta WHERE key = ?", (REGION_SCOPE_PREFIX + username,)
            ).fetchone()
        if row is None:
            return None
        try:
            ids = json.loads(row[0])
        except (TypeError, ValueError):
            return frozenset()  # an unreadable scope shows nothing rather than everything
        return frozenset(str(i) for i in ids) if isinstance(ids, list) else frozenset()

    def record_login_attempt(self, username: str, client: str, *, success: bool, at: dt.datetime) -> None:
        with self._write() as conn:
            self._x(
                conn,
                "INSERT INTO login_attempts (username, client, at, success) VALUES (?, ?, ?, ?)",
                (username, client, _ts(at), 1 if success else 0),
            )

    def login_attempts_since(
        self, since: dt.datetime, *, username: str | None = None, client: str | None = None
    ) -> list[tuple[dt.datetime, bool]]:
        """``(time, success)`` of the sign-ins after ``since`` of ``username`` and/or from ``client`` (None: any),
        in the order they were recorded (for the per-account and per-address limits of :func:`app.auth.sign_in`)."""
        where, params = ["at > ?"], [_ts(since)]
        for col, val in (("username", username), ("client", client)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        with self._read() as conn:
            rows = self._x(
                conn,
                f"SELECT at, success FROM login_attempts WHERE {' AND '.join(where)} ORDER BY at, attempt_id",
                params,
            ).fetchall()
        return [(dt.datetime.fromisoformat(r[0]), bool(r[1])) for r in rows]

    def create_session(
        self, token_hash: str, username: str, *, client: str, created_at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        with self._write() as conn:
            self._x(
                conn,
                "INSERT INTO sessions (token_hash, username, client, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (token_hash, username, client, _ts(created_at), _ts(expires_at)),
            )

    def session_record(self, token_hash: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = self._x(
                conn,
                "SELECT token_hash, username, client, created_at, expires_at FROM sessions WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
        if row is None:
            return None
        rec = dict(zip(("token_hash", "username", "client", "created_at", "expires_at"), row, strict=True))
        rec["created_at"] = dt.datetime.fromisoformat(rec["created_at"])
        rec["expires_at"] = dt.datetime.fromisoformat(rec["expires_at"])
        return rec

    def touch_session(self, token_hash: str, expires_at: dt.datetime) -> None:
        """Move a session's expiry (the idle timeout slides with each use, never past its absolute end)."""
        with self._write() as conn:
            self._x(
                conn, "UPDATE sessions SET expires_at = ? WHERE token_hash = ?", (_ts(expires_at), token_hash)
            )

    def set_password_hash(self, username: str, password_hash: str) -> int:
        """Replace a user's bcrypt hash and end every session of that user in the same transaction (a changed
        password revokes the sessions opened with the old one); returns how many sessions were ended.

        Raises
        ------
        ValueError
            Not a bcrypt hash, or no such user.
        """
        if not password_hash.startswith("$2"):
            raise ValueError(
                "password_hash 必须是 bcrypt 散列（由 app.auth.hash_password 生成） / must be a bcrypt hash"
            )
        with self._write() as conn:
            cur = self._x(
                conn, "UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username)
            )
            if cur.rowcount != 1:
                raise ValueError(f"用户 {username!r} 不存在 / no such user")
            return int(self._x(conn, "DELETE FROM sessions WHERE username = ?", (username,)).rowcount)

    def delete_session(self, token_hash: str) -> None:
        with self._write() as conn:
            self._x(conn, "DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def purge_sessions(self, now: dt.datetime) -> int:
        """Delete expired sessions; returns how many."""
        with self._write() as conn:
            return int(self._x(conn, "DELETE FROM sessions WHERE expires_at <= ?", (_ts(now),)).rowcount)
