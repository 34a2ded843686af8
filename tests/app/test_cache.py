"""app.cache: keyed on the park file's version and the arguments, bounded, computed once per key."""

from __future__ import annotations

import os
import threading
import time

import pytest

from app import cache


def test_lru_keeps_the_most_recently_used(tmp_path):
    c = cache.LRUCache(2)
    assert c.get_or_compute("a", lambda: 1) == 1
    assert c.get_or_compute("b", lambda: 2) == 2
    assert c.get_or_compute("a", lambda: -1) == 1  # hit: "a" becomes the most recent
    assert c.get_or_compute("c", lambda: 3) == 3  # evicts "b"
    assert "a" in c and "c" in c and "b" not in c and len(c) == 2


def test_an_error_is_raised_not_stored():
    c = cache.LRUCache(2)

    def boom():
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        c.get_or_compute("k", boom)
    assert c.get_or_compute("k", lambda: 5) == 5


def test_max_entries_must_be_positive():
    with pytest.raises(ValueError, match="max_entries=0"):
        cache.LRUCache(0)


def test_one_computation_per_key_across_threads():
    c = cache.LRUCache(4)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "done"

    results = []
    threads = [threading.Thread(target=lambda: results.append(c.get_or_compute("k", slow))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["done"] * 4 and len(calls) == 1


def test_shared_caches_are_per_name():
    assert cache.shared("test.one", max_entries=3) is cache.shared("test.one")
    assert cache.shared("test.one") is not cache.shared("test.two")
    assert cache.shared("test.one").max_entries == 3


def test_file_version_changes_when_the_file_changes(tmp_path):
    f = tmp_path / "park.gpkg"
    f.write_bytes(b"one")
    v1 = cache.file_version(f)
    os.utime(f, ns=(1_000_000_000, 1_000_000_000))
    f.write_bytes(b"two!")
    v2 = cache.file_version(f)
    assert v1 != v2 and v2[0] == str(f.resolve()) and v2[3] == 4
    assert cache.file_version(f, "GCJ-02") != v2  # the coordinate system is part of the version
    with pytest.raises(FileNotFoundError):
        cache.file_version(tmp_path / "missing.gpkg")


def test_file_version_of_a_folder(tmp_path):
    (tmp_path / "a.geojson").write_text("{}")
    v1 = cache.file_version(tmp_path)
    (tmp_path / "b.csv").write_text("x,y\n")
    assert cache.file_version(tmp_path)[3] == v1[3] + 4
