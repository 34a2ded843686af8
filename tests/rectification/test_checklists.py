"""Checklist storage (geodata.store.checklists) on both backends: roles, current state, confirmation, history."""

from __future__ import annotations

import pytest
from rectification_helpers import ADMIN, ENT1, ENT2, INSPECTOR, VIEWER

from geodata.store.errors import ConcurrentEditError, PermissionDeniedError


def test_enterprise_fills_own_checklist_and_inspector_confirms(store_factory):
    s = store_factory()
    cur = s.fill_checklist(
        ENT1, "enterprise", "E1", [{"item_key": "dual_power", "value": False, "evidence": "单回路供电"}]
    )
    row = cur.set_index("item_key").loc["dual_power"]
    assert row["value"] is False and row["version"] == 1 and not row["confirmed"]
    cur = s.confirm_checklist(
        INSPECTOR, "enterprise", "E1", "dual_power", expected_version=1, comment="现场核实"
    )
    row = cur.set_index("item_key").loc["dual_power"]
    assert row["confirmed"] and row["confirmed_by"] == "insp"
    # a new answer needs a new confirmation; the old rows stay in the history
    cur = s.fill_checklist(
        ENT1, "enterprise", "E1", [{"item_key": "dual_power", "value": True, "expected_version": 1}]
    )
    row = cur.set_index("item_key").loc["dual_power"]
    assert row["value"] is True and row["version"] == 2 and not row["confirmed"]
    hist = s.checklist_history(ADMIN, "enterprise", "E1")
    assert list(hist["action"]) == ["fill", "confirm", "fill"]
    assert s.verify_checklists(ADMIN) == []


def test_roles(store_factory):
    s = store_factory()
    with pytest.raises(PermissionDeniedError, match="E2"):
        s.fill_checklist(ENT1, "enterprise", "E2", [{"item_key": "x", "value": 1}])
    with pytest.raises(PermissionDeniedError, match="园区"):
        s.fill_checklist(ENT1, "park", "P1", [{"item_key": "x", "value": 1}])
    with pytest.raises(PermissionDeniedError):
        s.fill_checklist(INSPECTOR, "enterprise", "E1", [{"item_key": "x", "value": 1}])
    with pytest.raises(PermissionDeniedError):
        s.fill_checklist(VIEWER, "park", "P1", [{"item_key": "x", "value": 1}])
    s.fill_checklist(ADMIN, "park", "P1", [{"item_key": "ten_has_1", "value": 3.5}])
    s.fill_checklist(ENT2, "enterprise", "E2", [{"item_key": "x", "value": "是"}])
    with pytest.raises(PermissionDeniedError):
        s.confirm_checklist(ENT2, "enterprise", "E2", "x", expected_version=1)
    with pytest.raises(PermissionDeniedError):
        s.checklist(ENT1, "enterprise", "E2")
    assert s.checklist(VIEWER, "park", "P1").iloc[0]["value"] == 3.5
    assert s.checklist(ENT2, "enterprise", "E2").iloc[0]["value"] == "是"


def test_stale_version_and_bad_input(store_factory):
    s = store_factory()
    s.fill_checklist(ENT1, "enterprise", "E1", [{"item_key": "k", "value": 1}])
    with pytest.raises(ConcurrentEditError):
        s.fill_checklist(ENT1, "enterprise", "E1", [{"item_key": "k", "value": 2, "expected_version": 0}])
    with pytest.raises(ConcurrentEditError):
        s.confirm_checklist(INSPECTOR, "enterprise", "E1", "k", expected_version=2)
    with pytest.raises(LookupError, match="尚未填报"):
        s.confirm_checklist(INSPECTOR, "enterprise", "E1", "never", expected_version=1)
    with pytest.raises(ValueError, match="scope"):
        s.checklist(ADMIN, "plant", "E1")
    with pytest.raises(ValueError, match="NUL"):
        s.fill_checklist(ENT1, "enterprise", "E1", [{"item_key": "k", "value": "a\x00b"}])
    # nothing of the refused writes was stored
    assert len(s.checklist_history(ADMIN, "enterprise", "E1")) == 1


def test_history_is_append_only(store_factory, backend):
    s = store_factory()
    s.fill_checklist(ENT1, "enterprise", "E1", [{"item_key": "k", "value": 1}])
    with pytest.raises(Exception, match="append-only|无权"):  # noqa: PT011 - sqlite3, psycopg: own types; PostGIS app role lacks the right
        with s._write() as conn:
            s._x(conn, "UPDATE checklist_history SET value = '2'")
    with pytest.raises(Exception, match="append-only|无权"):  # noqa: PT011
        with s._write() as conn:
            s._x(conn, "DELETE FROM checklist_history")
    assert s.checklist(ADMIN, "enterprise", "E1").iloc[0]["value"] == 1
