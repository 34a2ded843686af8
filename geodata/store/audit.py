"""The hash chain of the rectification history (审计链): what makes an edited, deleted or reordered record visible.

Every history row stores three hashes, computed by the store inside the transaction that writes the row (one
implementation for both backends):

``item_hash``
    SHA-256 of the item's state after the write (:func:`item_state_hash`: every schema column, the version and the
    geometry as ISO WKB).
``prev_hash``
    ``row_hash`` of the row before it (ordered by ``hist_id``); :data:`GENESIS` for the first row.
``row_hash``
    SHA-256 of the canonical serialisation of the row (:func:`history_row_hash`: sorted-key JSON of every history
    column except ``hist_id``, plus ``item_hash`` and ``prev_hash``).

:func:`verify_chain` walks the rows in ``hist_id`` order and reports every break: a row whose content no longer
matches its ``row_hash`` (edited), a ``prev_hash`` that is not the previous row's hash (a row deleted, inserted or
moved), and an item whose current state is not the state recorded by its last history row (the item row changed
without a history record, or its last history record was deleted).

What the chain can and cannot do: it has no secret key, so someone who can write the database file (GeoPackage) or
the tables as their owner can rewrite the whole chain consistently; what it guarantees is that any *partial*
change — a record edited, removed or reordered, an item changed behind the store's back — is detected by
``parkrisk rect verify``. On PostGIS the application's database role cannot change or remove history at all
(:mod:`geodata.store.postgis`), so there the chain guards against the owner role and direct file access.

Stores created before the chain existed are migrated once when opened by their owner: the existing rows are hashed
in ``hist_id`` order and the last record of every item is sealed with the item's state at that moment (the
migration trusts the store as it was; :class:`ChainReport` says how many rows were sealed and when).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely

from geodata.store.records import ITEM_COLUMNS, Item

__all__ = [
    "GENESIS",
    "CHAIN_COLUMNS",
    "item_state_hash",
    "history_row_hash",
    "ChainProblem",
    "ChainReport",
    "verify_chain",
    "has_nul",
    "NUL_FIX_ZH",
]

#: prev_hash of the first history row.
GENESIS = "0" * 64
#: The columns the chain adds to the history table, in order.
CHAIN_COLUMNS: tuple[str, ...] = ("item_hash", "prev_hash", "row_hash")

#: How to remove a NUL character (shown with every refusal of one).
NUL_FIX_ZH = "请删除文本中的空字符 NUL（\\x00，常见于从其他系统复制的文本）后重试"


def has_nul(value: Any) -> bool:
    """Whether a text value contains the NUL character (PostgreSQL cannot store it in text; both backends refuse it)."""
    return isinstance(value, str) and "\x00" in value


def _norm(v: Any) -> Any:
    if v is None or isinstance(v, (str, int)):
        return v
    if isinstance(v, dt.date):
        return v.isoformat()[:10]
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return str(v)


def _digest(payload: Mapping[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Optional item columns added to the schema after the audit chain (left out of an item's hash while empty).
_ADDED_COLUMNS: tuple[str, ...] = ("major_hazard_item", "measures", "funds_cny", "contingency_plan")


def item_state_hash(item: Item) -> str:
    """SHA-256 (hex) of an item's stored state: schema columns, version and geometry (ISO WKB, little endian)."""
    payload: dict[str, Any] = {c: _norm(getattr(item, c)) for c in ITEM_COLUMNS}
    # columns added after the chain began are left out while empty, so the old seals still hold
    for c in _ADDED_COLUMNS:
        if payload.get(c) is None:
            payload.pop(c, None)
    payload["version"] = int(item.version)
    geom = item.geometry
    payload["geometry"] = None if geom is None else shapely.to_wkb(geom, hex=True, byte_order=1, flavor="iso")
    return _digest(payload)


def history_row_hash(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    """SHA-256 (hex) of one history row: the values of ``columns`` (the history columns without ``hist_id``) plus
    ``item_hash`` and ``prev_hash``, as sorted-key JSON."""
    payload = {c: _norm(row.get(c)) for c in (*columns, "item_hash", "prev_hash")}
    return _digest(payload)


@dataclass(frozen=True)
class ChainProblem:
    """One break of the chain. ``kind``: ``edited``, ``link`` (deleted/inserted/reordered), ``item`` (item state
    differs from its last record), ``no_history`` (an item without any record) or ``missing_item``."""

    kind: str
    hist_id: int | None
    item_id: str | None
    message_zh: str


@dataclass
class ChainReport:
    """The result of :func:`verify_chain`."""

    rows: int = 0
    items: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    sealed_rows: int = 0
    sealed_at: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_text_zh(self, *, limit: int = 50) -> str:
        lines = []
        if self.ok:
            lines.append(
                f"审计链完整：共 {self.rows} 条历史记录、{self.items} 项整改事项，未发现修改、删除或顺序变动。"
            )
        else:
            lines.append(
                f"审计链被破坏：发现 {len(self.problems)} 处问题（共 {self.rows} 条历史记录、{self.items} 项事项）。"
                "历史记录或事项曾被绕过本系统直接修改，请核查数据库访问记录并从备份恢复。"
            )
            lines += [f"  {p.message_zh}" for p in self.problems[:limit]]
            if len(self.problems) > limit:
                lines.append(f"  ……另有 {len(self.problems) - limit} 处问题")
        if self.sealed_rows:
            lines.append(
                f"说明：其中 {self.sealed_rows} 条记录写于审计链启用之前，于 {self.sealed_at} 升级时按当时内容纳入审计链。"
            )
        return "\n".join(lines)


def verify_chain(
    rows: Iterable[Mapping[str, Any]], items: Mapping[str, str], *, columns: Sequence[str]
) -> ChainReport:
    """Walk the history ``rows`` (``hist_id`` order, with the chain columns) and compare the last record of every item
    with ``items`` (item_id -> :func:`item_state_hash` of its current state)."""
    rep = ChainReport(items=len(items))
    prev = GENESIS
    last: dict[str, tuple[int, str | None]] = {}
    for row in rows:
        rep.rows += 1
        hid, iid = int(row["hist_id"]), str(row["item_id"])
        where = f"第 {hid} 条历史记录（事项 {iid}，{row.get('action')}，{row.get('at')}）"
        if row.get("row_hash") != history_row_hash(row, columns):
            rep.problems.append(
                ChainProblem("edited", hid, iid, f"{where}：内容与其校验值不符，记录被改动过")
            )
        if row.get("prev_hash") != prev:
            rep.problems.append(
                ChainProblem(
                    "link",
                    hid,
                    iid,
                    f"{where}：与前一条记录的链接断开，之前的记录被删除、插入或调换了顺序",
                )
            )
        prev = row.get("row_hash") or ""
        last[iid] = (hid, row.get("item_hash"))
    for iid, state in sorted(items.items()):
        if iid not in last:
            rep.problems.append(
                ChainProblem("no_history", None, iid, f"整改事项 {iid}：没有任何历史记录，事项未经本系统登记")
            )
        elif last[iid][1] != state:
            rep.problems.append(
                ChainProblem(
                    "item",
                    last[iid][0],
                    iid,
                    f"整改事项 {iid}：当前内容与最后一条历史记录（第 {last[iid][0]} 条）不符，"
                    "事项被绕过本系统修改，或其最后的历史记录被删除",
                )
            )
    for iid in sorted(set(last) - set(items)):
        rep.problems.append(
            ChainProblem("missing_item", last[iid][0], iid, f"整改事项 {iid}：有历史记录，但事项本身已被删除")
        )
    return rep
