"""Users and records shared by the rectification tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import shapely

from geodata.store import User

ADMIN = User("admin", "admin", display_name="管理员")
INSPECTOR = User("insp", "inspector")
VIEWER = User("view", "viewer")
ENT1 = User("e1", "enterprise", "E1")
ENT2 = User("e2", "enterprise", "E2")


def make_record(i: int, **kw) -> dict:
    """A valid item record number ``i`` (enterprise E1 for odd i, E2 for even i)."""
    rec = {
        "item_id": f"R{i:03d}",
        "park_id": "P1",
        "enterprise_id": "E1" if i % 2 else "E2",
        "title": f"测试隐患 {i}",
        "category": "equipment",
        "hazard_level": "major" if i % 5 == 0 else "general",
        "source": "inspection",
        "found_on": "2025-01-10",
        "deadline": "2025-03-31",
        "responsible": "张三",
        "status": "open",
        "closed_on": None,
        "geometry": shapely.Point(113.70 + i * 1e-3, 29.88),
    }
    rec.update(kw)
    return rec
