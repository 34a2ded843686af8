"""The on-disk cache of thermo's property values (analysis.physics.property_cache) never changes a result.

The reference is the run without the cache (``PARKRISK_CACHE_DIR=off``): every value computed through thermo, as
before the cache existed. Results with an empty cache (cold), a filled one (warm) and none must be bit for bit the
same — the demo park's individual-risk grid (serial, ``PARKRISK_WORKERS=1``: two placing threads may sum in another
order and differ in the last bit from run to run), its receptors, events and outcome table, and the emergency plan
of chlorine tank T-3. A new library version starts a new folder; a corrupt, tampered or unwritable cache is
ignored; processes writing at once leave a valid file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.physics import property_cache as pc
from analysis.physics import substances

ROOT = Path(__file__).resolve().parents[2]

_RUN = r"""
import hashlib, json, sys
import numpy as np
from analysis.physics import substances
from geodata import load_park
from geodata.samples.build_demo_park import DEFAULT_PATH
out = {}
if "risk" in sys.argv:
    from analysis.qra.individual import individual_risk
    ir = individual_risk(load_park(DEFAULT_PATH), resolution=50.0)
    out["max_ir"] = ir.grid.max().hex()
    out["grid"] = hashlib.sha256(ir.grid.tobytes()).hexdigest()
    out["contrib"] = hashlib.sha256(ir.contributions.tobytes()).hexdigest()
    for name in ("receptors", "events", "outcomes", "units"):
        out[name] = getattr(ir, name).to_json(double_precision=15)
        out[name + "_sha"] = hashlib.sha256(
            getattr(ir, name).select_dtypes("number").to_numpy(dtype=float).tobytes()).hexdigest()
if "plan" in sys.argv:
    from analysis import emergency as em
    p = em.plan(load_park(DEFAULT_PATH), unit_id="T-3", wind_from=45.0, wind_speed=2.0, time="22:00")
    out["targets"] = p.targets.to_json(double_precision=15)
    out["targets_sha"] = hashlib.sha256(p.targets.select_dtypes("number").to_numpy(dtype=float).tobytes()).hexdigest()
    out["zones"] = p.zones.geometry.to_wkt().tolist() + p.band.geometry.to_wkt().tolist()
if "records" in sys.argv:
    for s in substances.all_substances():
        vals = [f(t) for t in (150.0, 239.11, 293.15, 318.15, 600.0) for f in (s.vapour_pressure,
                s.liquid_density_at, s.liquid_heat_capacity_at, s.heat_of_vaporisation_at, s.vapour_density_at)]
        out[s.key] = repr({k: v for k, v in s.__dict__.items() if k != "_props"}) + repr([float(v).hex() for v in vals])
out["thermo_loaded"] = "thermo" in sys.modules or "CoolProp" in sys.modules
print("RESULT " + json.dumps(out))
"""


def _fresh(cache: str | Path, *what: str) -> dict:
    """Run ``what`` in a fresh process with PARKRISK_CACHE_DIR=cache; the JSON of its results."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PARKRISK_WORKERS="1", **{pc.CACHE_ENV: str(cache)})
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *what], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line is not None, done.stderr[-3000:]
    return json.loads(line[len("RESULT ") :])


def _files(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{pc._SUBDIR}/*/*.json"))


def test_risk_grid_and_plan_are_bit_identical_cold_warm_and_without_cache(tmp_path):
    off = _fresh("off", "risk", "plan")
    assert off["thermo_loaded"]
    cold = _fresh(tmp_path, "risk", "plan")
    assert _files(tmp_path), "a cold run fills the cache"
    warm = _fresh(tmp_path, "risk", "plan")
    assert not warm["thermo_loaded"], "a warm run needs no property library"
    for name, got in (("cold", cold), ("warm", warm)):
        for key in off:
            if key != "thermo_loaded":
                assert got[key] == off[key], f"{name}: {key} differs from the run without cache"


def test_records_are_bit_identical_and_a_miss_adds_the_value(tmp_path):
    off = _fresh("off", "records")
    assert _fresh(tmp_path, "records") == {**off, "thermo_loaded": True}
    warm = _fresh(tmp_path, "records")
    assert warm == {**off, "thermo_loaded": False}


def test_switched_off_writes_nothing(tmp_path, monkeypatch):
    for value in ("off", "OFF", " none ", "0", "false", "no"):
        monkeypatch.setenv(pc.CACHE_ENV, value)
        assert pc.cache_root() is None
    substances._build.__wrapped__("chlorine")
    monkeypatch.setenv(pc.CACHE_ENV, str(tmp_path))
    assert pc.cache_root() == tmp_path
    monkeypatch.delenv(pc.CACHE_ENV)
    assert pc.cache_root() is not None and "parkrisk" in str(pc.cache_root())  # the user's cache folder


def _reference(key: str = "chlorine") -> str:
    """The record built without cache, as comparable text."""
    old = os.environ.get(pc.CACHE_ENV)
    os.environ[pc.CACHE_ENV] = "off"
    try:
        return _text(substances._build.__wrapped__(key))
    finally:
        if old is None:
            del os.environ[pc.CACHE_ENV]
        else:
            os.environ[pc.CACHE_ENV] = old


def _text(s) -> str:
    vals = [f(t) for t in (239.11, 293.15, 318.15) for f in (s.vapour_pressure, s.vapour_density_at)]
    return repr({k: v for k, v in s.__dict__.items() if k != "_props"}) + repr([float(v).hex() for v in vals])


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "tampered value", "tampered fixed", "wrong key", "directory"],
)
def test_a_corrupt_file_is_ignored_and_replaced(tmp_path, monkeypatch, damage):
    ref = _reference()
    monkeypatch.setenv(pc.CACHE_ENV, str(tmp_path))
    assert _text(substances._build.__wrapped__("chlorine")) == ref  # fills the cache
    (path,) = [p for p in _files(tmp_path) if p.stem == "chlorine"]
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    if damage == "garbage":
        path.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "tampered value":
        by_t = doc["payload"]["values"]["vapour_pressure"]
        by_t[next(iter(by_t))] *= 2.0  # the checksum no longer matches
        path.write_text(json.dumps(doc), encoding="utf-8")
    elif damage == "tampered fixed":
        doc["payload"]["fixed"]["molar_mass"] = "70.9"
        doc["digest"] = pc._digest(doc["payload"])  # a consistent checksum, a wrong type: still ignored
        path.write_text(json.dumps(doc), encoding="utf-8")
    elif damage == "wrong key":
        doc["key"] = "0" * 24
        path.write_text(json.dumps(doc), encoding="utf-8")
    else:
        path.unlink()
        path.mkdir()  # unreadable as a file, and os.replace onto it fails
    assert _text(substances._build.__wrapped__("chlorine")) == ref
    if damage != "directory":
        assert pc._read(path, pc.version_key()) is not None, "the damaged file was written again"
    assert not list(path.parent.glob(".*.tmp")), "no temporary file left behind"


def test_a_new_library_version_starts_a_new_folder_and_old_ones_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setenv(pc.CACHE_ENV, str(tmp_path))
    ref = _reference()
    first = pc.version_key()
    substances._build.__wrapped__("chlorine")
    assert pc.PropertyRecord("chlorine").fixed is not None
    os.utime(tmp_path / pc._SUBDIR / first, (1e9 - 1, 1e9 - 1))  # the oldest
    versions = pc._versions()
    try:
        for k in range(pc.KEEP_VERSIONS + 2):
            monkeypatch.setattr(pc, "_versions", lambda k=k: {**versions, "thermo": f"99.{k}"})
            pc.version_key.cache_clear()
            assert pc.version_key() != first
            assert pc.PropertyRecord("chlorine").fixed is None, (
                "values of another thermo version are not used"
            )
            assert _text(substances._build.__wrapped__("chlorine")) == ref
            os.utime(
                tmp_path / pc._SUBDIR / pc.version_key(), (1e9 + k, 1e9 + k)
            )  # distinct, increasing times
        folders = sorted(p.name for p in (tmp_path / pc._SUBDIR).iterdir())
        assert len(folders) == pc.KEEP_VERSIONS
        assert first not in folders and pc.version_key() in folders
    finally:
        pc.version_key.cache_clear()


def test_the_key_holds_the_table_and_code(tmp_path, monkeypatch):
    first = pc.version_key()
    table = tmp_path / "substances.csv"
    table.write_bytes((pc.DATA_DIR / "substances.csv").read_bytes() + b"# edited\n")
    monkeypatch.setattr(pc, "_CODE_FILES", (table, *pc._CODE_FILES[1:]))
    pc.version_key.cache_clear()
    try:
        assert pc.version_key() != first
    finally:
        pc.version_key.cache_clear()
    assert set(pc._versions()) == set(pc.LIBRARIES)


def test_no_key_means_no_cache(tmp_path, monkeypatch):
    ref = _reference()
    monkeypatch.setenv(pc.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(pc, "_CODE_FILES", (tmp_path / "missing.py",))  # code not readable as a file
    pc.version_key.cache_clear()
    try:
        assert pc.cache_folder() is None
        assert _text(substances._build.__wrapped__("chlorine")) == ref
        assert not list(tmp_path.iterdir())
    finally:
        pc.version_key.cache_clear()


@pytest.mark.parametrize("cache", ["cold", "warm", "off"])
def test_a_record_sent_to_another_process_keeps_its_values(tmp_path, monkeypatch, cache):
    import pickle

    ref = _reference()
    monkeypatch.setenv(pc.CACHE_ENV, "off" if cache == "off" else str(tmp_path))
    if cache == "warm":
        substances._build.__wrapped__("chlorine")
    s = substances._build.__wrapped__("chlorine")
    copy = pickle.loads(pickle.dumps(s))  # as a dask task or a worker process receives it
    assert _text(copy) == ref
    assert copy.vapour_pressure(301.25) == s.vapour_pressure(301.25)  # a value not stored: through thermo
    before = {p: p.read_bytes() for p in _files(tmp_path)}
    copy.vapour_pressure(302.5)
    assert {p: p.read_bytes() for p in _files(tmp_path)} == before  # the copy writes no file


def test_an_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    ref = _reference()
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(pc.CACHE_ENV, str(blocker / "cache"))
    assert _text(substances._build.__wrapped__("chlorine")) == ref


def test_a_failed_write_removes_its_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setenv(pc.CACHE_ENV, str(tmp_path))
    ref = _reference()

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pc.os, "replace", fail)
    assert _text(substances._build.__wrapped__("chlorine")) == ref
    assert not list(tmp_path.rglob("*.tmp")) and not _files(tmp_path)


_WRITER = r"""
import sys
from analysis.physics import substances
s = substances.get("chlorine")
k = int(sys.argv[1])
for i in range(40):
    s.vapour_pressure(250.0 + k + 0.125 * i)
"""


def test_processes_writing_at_once_leave_a_valid_file(tmp_path, monkeypatch):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{pc.CACHE_ENV: str(tmp_path)})
    subprocess.run([sys.executable, "-c", _WRITER, "0"], check=True, env=env, cwd=ROOT, timeout=300)
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(k)], env=env, cwd=ROOT) for k in range(1, 5)
    ]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    (path,) = [p for p in _files(tmp_path) if p.stem == "chlorine"]
    payload = pc._read(path, pc.version_key())
    assert payload is not None and not list(path.parent.glob(".*.tmp"))
    monkeypatch.setenv(pc.CACHE_ENV, "off")
    plain = substances._build.__wrapped__("chlorine")
    stored = payload["values"]["vapour_pressure"]
    assert len(stored) >= 40  # the first writer's values at least (later ones may lose a race, never corrupt)
    for t_hex, v in stored.items():
        assert v == plain.vapour_pressure(float.fromhex(t_hex))
