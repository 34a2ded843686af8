"""Which parks of a region a user may see on the region page, in the table, on the map and in the bulletin.

=================================== ==================================================================
user                                parks
=================================== ==================================================================
not signed in                       none
``enterprise`` user                 none (an enterprise sees its own park's pages, not the region)
a user with a region scope          the parks of the scope (``store.set_region_scope``, by park id)
admin / inspector / viewer, no scope every park of the region (the regulator of the whole region)
=================================== ==================================================================

Viewers keep their redaction: the region figures are counts, grades and rates — no inventories.
"""

from __future__ import annotations

from typing import Any

from geodata.store import User

__all__ = ["user_parks", "scope_note_zh"]


def user_parks(store: Any, user: User | None) -> frozenset[str] | None:
    """The park ids ``user`` may see (None: all parks; an empty set: none)."""
    if user is None or user.role == "enterprise":
        return frozenset()
    return store.region_scope(user.username)


def scope_note_zh(parks: frozenset[str] | None) -> str:
    """One Chinese sentence saying what the user sees."""
    if parks is None:
        return "显示本区域全部园区。"
    if not parks:
        return "当前用户无权查看区域数据（请使用监管部门账号登录）。"
    return f"当前用户的区域范围：{len(parks)} 个园区（{'、'.join(sorted(parks))}）。"
