"""Page tests that open the session's shared small park (PARKRISK_PARK=small_park_path) keep their results in that
file; tests/app/conftest.py gives it back unchanged after each test, so a later test that opens or copies it (the
one map, the commands' --store, the results tests) starts without them, whatever the order. The two tests below run
in this order (pytest keeps the order of a file) and check that."""

from __future__ import annotations

import shutil

from geodata import results as R


def test_a_page_test_keeps_a_result_in_the_shared_park_file(small_park_path, small_park, monkeypatch):
    from analysis.regulation import gb18218
    from app.results import store

    store(
        small_park_path, "major_hazards", gb18218.enterprise_grades(small_park), small_park, computed_by="x"
    )
    assert set(R.list_results(small_park_path)) == {"major_hazards"}


def test_a_later_test_copies_the_shared_park_file_without_it(small_park_path, tmp_path):
    copy = tmp_path / "copy.gpkg"
    shutil.copyfile(small_park_path, copy)
    assert R.list_results(copy) == {}
    assert R.list_results(small_park_path) == {}
