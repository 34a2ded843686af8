"""The audit chain of the rectification store: verifying it and sealing a store written before it existed.

A mixin of :class:`geodata.store.base.RectificationStore` (it uses the store's connection helpers); the hashing
itself is in :mod:`geodata.store.audit`.
"""

from __future__ import annotations

import logging
from typing import Any

from geodata.store import audit
from geodata.store.records import ITEM_COLUMNS
from geodata.store.records import iso_timestamp as _ts
from geodata.store.roles import User, require

__all__ = ["ChainMixin", "HISTORY_COLUMNS", "HASHED_COLUMNS"]

log = logging.getLogger(__name__)

#: Columns of the history table, in order.
HISTORY_COLUMNS: tuple[str, ...] = (
    "hist_id",
    "item_id",
    "at",
    "username",
    "role",
    "action",
    "from_state",
    "to_state",
    "comment",
    "old_deadline",
    "new_deadline",
    "reason",
    "approved_by",
    "version",
    "changes",
)
#: History columns covered by a row's hash (all but hist_id, whose order the prev_hash links already fix).
HASHED_COLUMNS: tuple[str, ...] = HISTORY_COLUMNS[1:]
_SELECT_COLS = ", ".join(ITEM_COLUMNS)


class ChainMixin:
    """Verification of the hash chain of the history table."""

    def verify(self, user: User) -> audit.ChainReport:
        """Check the audit trail (:mod:`geodata.store.audit`): every history row against its hash and the hash of
        the row before it, every item against its last history row. Needs ``verify`` (admin, inspector).

        Returns
        -------
        ChainReport
            ``ok`` and the breaks found, each naming the history row and the item (``to_text_zh()`` for people).
        """
        require(user, "verify")
        cols = [*HISTORY_COLUMNS, *audit.CHAIN_COLUMNS]
        with self._read() as conn:
            cur = self._x(conn, f"SELECT {', '.join(cols)} FROM history ORDER BY hist_id")
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
            sql = f"SELECT {_SELECT_COLS}, version, {self._geom_out} FROM rectifications"
            items = [self._row_to_item(r) for r in self._x(conn, sql).fetchall()]
            sealed = self._sealed(conn)
        rep = audit.verify_chain(
            rows, {it.item_id: audit.item_state_hash(it) for it in items}, columns=HASHED_COLUMNS
        )
        if sealed is not None:
            rep.sealed_rows, rep.sealed_at = sealed
        return rep

    def _sealed(self, conn: Any) -> tuple[int, str] | None:
        """(rows, when) of the one-time migration that brought pre-chain records into the chain, if there was one."""
        row = self._x(conn, "SELECT value FROM store_meta WHERE key = 'chain_sealed'").fetchone()
        if row is None:
            return None
        n, _, at = str(row[0]).partition("@")
        return int(n), at

    def _seal_legacy_history(self, conn: Any) -> int:
        """One-time migration of a store created before the chain: hash the rows that have no row_hash yet (in
        hist_id order), recording each item's current state on its last row. The backend has made history writable
        for this transaction. Returns the number of rows sealed."""
        cols = [*HISTORY_COLUMNS, *audit.CHAIN_COLUMNS]
        rows = [
            dict(zip(cols, r, strict=True))
            for r in self._x(conn, f"SELECT {', '.join(cols)} FROM history ORDER BY hist_id").fetchall()
        ]
        if not rows or any(r["row_hash"] for r in rows) or self._sealed(conn) is not None:
            return 0  # only a store that never had the chain is sealed; a blanked hash later is tampering
        sql = f"SELECT {_SELECT_COLS}, version, {self._geom_out} FROM rectifications"
        states = {
            it.item_id: audit.item_state_hash(it)
            for it in map(self._row_to_item, self._x(conn, sql).fetchall())
        }
        last = {r["item_id"]: r["hist_id"] for r in rows}
        prev = audit.GENESIS
        for r in rows:
            r["item_hash"] = states.get(r["item_id"]) if last[r["item_id"]] == r["hist_id"] else None
            r["prev_hash"] = prev
            r["row_hash"] = prev = audit.history_row_hash(r, HASHED_COLUMNS)
            self._x(
                conn,
                "UPDATE history SET item_hash = ?, prev_hash = ?, row_hash = ? WHERE hist_id = ?",
                (r["item_hash"], r["prev_hash"], r["row_hash"], r["hist_id"]),
            )
        n = len(rows)
        self._x(
            conn,
            "INSERT INTO store_meta (key, value) VALUES ('chain_sealed', ?)",
            (f"{n}@{_ts(self._now())}",),
        )
        log.warning("%s: %d history rows written before the audit chain were sealed into it", self, n)
        return n
