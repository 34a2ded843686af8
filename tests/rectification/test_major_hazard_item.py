"""The 20 items of 重大生产安全事故隐患判定标准（试行）(安监总管三〔2017〕121号) on rectification items: an item citing
one is a 重大隐患 whatever was typed (the standard: "依据下列标准判定为重大隐患"), on both store backends, and a
store made before the field existed gains it on opening (its audit chain still verifies)."""

from __future__ import annotations

import sqlite3

import pytest
from rectification_helpers import ADMIN, make_record

from geodata.store import GpkgStore, ImportValidationError, PostgisStore, normalise_record


def test_citing_an_item_forces_a_major_hazard(store):
    store.create_items(ADMIN, [make_record(11, hazard_level="general", major_hazard_item=13)])
    it = store.get_item(ADMIN, "R011")
    assert (it.major_hazard_item, it.hazard_level) == (13, "major")
    plain = store.get_item(ADMIN, "R001")
    assert (plain.major_hazard_item, plain.hazard_level) == (None, "general")
    store.update_fields(ADMIN, "R001", changes={"major_hazard_item": "第8条"}, expected_version=plain.version)
    again = store.get_item(ADMIN, "R001")
    assert (again.major_hazard_item, again.hazard_level) == (8, "major")
    assert store.items_frame(ADMIN).set_index("item_id").loc["R011", "major_hazard_item"] == 13
    assert store.verify(ADMIN).ok


@pytest.mark.parametrize("bad", [0, 21, "3.5", "第二十一条", True])
def test_a_number_outside_1_to_20_is_refused_in_chinese(bad):
    _, problems = normalise_record(make_record(1, major_hazard_item=bad), row=2)
    assert len(problems) == 1
    assert problems[0].column == "重大隐患判定条目" and "1～20" in problems[0].message_zh


def test_a_bad_citation_is_refused_by_the_store(store):
    with pytest.raises(ImportValidationError, match="重大隐患判定条目"):
        store.create_items(ADMIN, [make_record(12, major_hazard_item=25)])


def test_an_existing_store_gains_the_field(store, backend, request):
    """Migration: the column is dropped (a store from before this field); opening adds it, the old items keep their
    hashes (the chain verifies) and a new citation can be stored."""
    store.close()
    if backend == "gpkg":
        con = sqlite3.connect(store.path, isolation_level=None)
        con.execute("ALTER TABLE rectifications DROP COLUMN major_hazard_item")
        con.close()
        again = GpkgStore(store.path)
    else:
        import psycopg

        server = request.getfixturevalue("pg_server")
        with psycopg.connect(server.dsn, autocommit=True) as con:
            con.execute(f"ALTER TABLE {store.schema}.rectifications DROP COLUMN major_hazard_item")
        with pytest.raises(Exception, match="需要升级"):
            PostgisStore(server.app_dsn(), schema=store.schema)
        again = PostgisStore(server.app_store(store.schema), schema=store.schema)
    try:
        assert again.verify(ADMIN).ok
        it = again.get_item(ADMIN, "R002")
        assert it.major_hazard_item is None
        again.update_fields(ADMIN, "R002", changes={"major_hazard_item": 3}, expected_version=it.version)
        assert again.get_item(ADMIN, "R002").hazard_level == "major"
        assert again.verify(ADMIN).ok
    finally:
        again.close()


def test_statistics_count_a_cited_item_as_major_and_give_the_on_time_rate():
    """按期整改率 by its definition (closed on or before the deadline / items due) on four hand-built items: one
    closed on time, one closed late, one open past its deadline, one open and not yet due -> 1 / 3. An item citing
    item 5 of the 2017 standard counts as 重大隐患 even where a park file says general."""
    import pandas as pd

    from analysis.regulation.rectification import closure_stats, major_items

    rows = [
        make_record(1, status="closed", closed_on="2025-03-01", deadline="2025-03-31"),
        make_record(2, status="closed", closed_on="2025-04-15", deadline="2025-03-31"),
        make_record(3, status="open", deadline="2025-03-31"),
        make_record(4, status="open", deadline="2025-12-31", hazard_level="general", major_hazard_item=5),
    ]
    items = pd.DataFrame(rows)
    s = closure_stats(items, today="2025-06-01").iloc[0]
    assert (s["due"], s["on_time"]) == (3, 1)
    assert s["on_time_rate"] == pytest.approx(1 / 3)
    assert s["closure_rate"] == pytest.approx(2 / 4)
    assert s["major"] == 1 and list(major_items(items)["item_id"]) == ["R004"]
