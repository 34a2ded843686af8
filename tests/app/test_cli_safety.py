"""Issue 13, findings 8 and 9 (CLI part) and the ``--coords`` part of 10: no ``parkrisk`` command destroys the park
it reads, every output is written through a temporary file and an atomic rename, and a missing or read-only output
folder, a full disk or an absurd ``--samples`` ends in a Chinese message (exit code 1) with the park and any existing
output left as they were.

Before the fix: ``map park.gpkg -o park.gpkg`` replaced the park with HTML, ``domino``/``pipelines``/``zones -o
park.gpkg`` rewrote its layers, a failing writer left a half-written output in place of the old one, ``-o`` into a
missing folder ended in a traceback (or after minutes of computation), ``domino --samples 1e8`` was an argparse usage
error and ``--samples 100000000`` ran out of memory, and the analysis commands had no ``--coords``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from app import cli
from app.cli import main


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def park(demo_park_path, tmp_path) -> Path:
    """A private copy of the demo park (the tests check its bytes)."""
    p = tmp_path / "park.gpkg"
    shutil.copyfile(demo_park_path, p)
    return p


def _quick(command: str, park: Path, out: Path) -> list[str]:
    """Arguments of a quick run of ``command`` on the demo park writing ``out`` (-o)."""
    p, o = str(park), str(out)
    return {
        "map": ["map", p, "-o", o],
        "zones": ["zones", p, "--unit", "T-3", "--scenario", "toxic", "-o", o],
        "domino": ["domino", p, "-o", o, "--samples", "50", "--levels", "1", "--scenarios", "pool_fire"],
        "pipelines": ["pipelines", p, "--pipeline", "GP-01", "-o", o],
        "risk": ["risk", p, "-o", o, "--resolution", "100", "--margin", "100"],
        "siting": ["siting", p, "-o", o, "--resolution", "100", "--margin", "100"],
        "major-hazards": ["major-hazards", p, "-o", o],
        "evacuate": ["evacuate", p, "--unit", "T-3", "--stability", "F", "--time", "22:00", "-o", o],
    }[command]


_SUFFIX = {
    "map": ".html",
    "zones": ".geojson",
    "domino": ".gpkg",
    "pipelines": ".gpkg",
    "risk": ".tif",
    "siting": ".xlsx",
    "major-hazards": ".xlsx",
    "evacuate": ".pdf",
}


# ---------------------------------------------------------------------------------------------------------------
# Finding 8: an output that is an input is refused; the park's bytes do not change
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["map", "zones", "domino", "pipelines"])
def test_output_that_is_the_park_is_refused(command, park, capsys):
    before = digest(park)
    assert main(_quick(command, park, park)) == 1
    err = capsys.readouterr().err
    assert "就是输入的园区数据" in err and str(park.name) in err, err
    assert digest(park) == before


def test_output_reaching_the_park_through_a_symlink_or_dotdot_is_refused(park, tmp_path, capsys):
    link = tmp_path / "link.gpkg"
    link.symlink_to(park)
    (tmp_path / "sub").mkdir()
    before = digest(park)
    assert main(["map", str(park), "-o", str(link)]) == 1
    assert main(["map", str(link), "-o", str(park)]) == 1
    assert (
        main(
            [
                "zones",
                str(park),
                "--unit",
                "T-3",
                "--scenario",
                "toxic",
                "-o",
                str(tmp_path / "sub/../park.gpkg"),
            ]
        )
        == 1
    )
    assert capsys.readouterr().err.count("就是输入的园区数据") == 3
    assert digest(park) == before
    assert link.is_symlink()


def test_output_that_is_a_hard_link_to_the_park_is_refused(park, tmp_path, capsys):
    hard = tmp_path / "hard.gpkg"
    os.link(park, hard)
    before = digest(park)
    assert main(_quick("domino", park, hard)) == 1
    assert "就是输入的园区数据" in capsys.readouterr().err
    assert digest(park) == before


def test_output_inside_a_park_folder_is_refused(demo_park_path, tmp_path, capsys):
    import pyogrio

    folder = tmp_path / "park_layers"
    folder.mkdir()
    for name, _ in pyogrio.list_layers(demo_park_path):
        df = pyogrio.read_dataframe(demo_park_path, layer=name)
        pyogrio.write_dataframe(df, folder / f"{name}.geojson", driver="GeoJSON")
    layer = folder / "installations.geojson"
    before = digest(layer)
    argv = ["zones", str(folder), "--unit", "T-3", "--scenario", "toxic", "-o", str(layer)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "园区数据文件夹" in err and "installations.geojson" in err, err
    assert digest(layer) == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{n}.geojson" for n, _ in pyogrio.list_layers(demo_park_path)
    )


# ---------------------------------------------------------------------------------------------------------------
# Finding 8/9: a writer that fails half-way leaves the old output (and no temporary file); Chinese message
# ---------------------------------------------------------------------------------------------------------------
def _writer_owner(command: str):
    """The object holding the writer of ``command``, the writer's name and the index of the path argument."""
    import pathlib

    import geopandas

    import app.mapping
    import app.reports.briefing
    from analysis.qra.individual import IndividualRisk

    return {
        "map": (app.mapping, "save_html", 1),
        "zones": (geopandas.GeoDataFrame, "to_file", 1),
        "domino": (geopandas.GeoDataFrame, "to_file", 1),
        "pipelines": (geopandas.GeoDataFrame, "to_file", 1),
        "risk": (IndividualRisk, "to_geotiff", 1),
        "siting": (pathlib.Path, "write_bytes", 0),
        "major-hazards": (pathlib.Path, "write_bytes", 0),
        "evacuate": (app.reports.briefing, "write_briefing_pdf", 0),
    }[command]


_MESSAGES = {errno.ENOSPC: "磁盘空间不足", errno.EACCES: "没有写入权限", errno.EROFS: "只读"}


def _failing_writer(monkeypatch, command: str, code: int) -> list[str]:
    """Make the command's writer write a few bytes to its path and then raise OSError(code); returns the paths."""
    owner, attr, index = _writer_owner(command)
    seen: list[str] = []

    def boom(*args, **kwargs):
        path = str(args[index])
        seen.append(path)
        with open(path, "wb") as fh:
            fh.write(b"partial")
        raise OSError(code, os.strerror(code), path)

    monkeypatch.setattr(owner, attr, boom)
    return seen


_CASES = [(c, errno.ENOSPC) for c in _SUFFIX] + [
    ("map", errno.EACCES),
    ("zones", errno.EACCES),
    ("map", errno.EROFS),
    ("domino", errno.EROFS),
]


@pytest.mark.parametrize(("command", "code"), _CASES)
def test_failing_write_keeps_old_output_and_park(command, code, park, tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / f"result{_SUFFIX[command]}"
    out.write_bytes(b"old")
    before = digest(park)
    seen = _failing_writer(monkeypatch, command, code)
    assert main(_quick(command, park, out)) == 1
    captured = capsys.readouterr()
    text = captured.err + captured.out
    assert seen, "the writer was not reached"
    assert _MESSAGES[code] in text and str(out) in text, text
    assert "Traceback" not in text
    assert out.read_bytes() == b"old"
    assert [p.name for p in out_dir.iterdir()] == [out.name], "a temporary file was left behind"
    assert digest(park) == before


# ---------------------------------------------------------------------------------------------------------------
# Finding 9: -o into a missing or read-only folder: a Chinese message before any computation
# ---------------------------------------------------------------------------------------------------------------
_EXTRA_OUTPUTS = [
    ("pipelines", "--xlsx", ".xlsx"),
    ("pipelines", "--transect", ".png"),
    ("risk", "--contours", ".gpkg"),
]


@pytest.mark.parametrize("command", list(_SUFFIX))
def test_output_into_missing_folder(command, park, tmp_path, capsys):
    out = tmp_path / "无此文件夹" / f"result{_SUFFIX[command]}"
    before = digest(park)
    assert main(_quick(command, park, out)) == 1
    err = capsys.readouterr().err
    assert "输出文件夹" in err and "不存在" in err and str(out.parent) in err, err
    assert digest(park) == before
    assert not out.parent.exists()


@pytest.mark.parametrize(("command", "option", "suffix"), _EXTRA_OUTPUTS)
def test_second_output_into_missing_folder(command, option, suffix, park, tmp_path, capsys, monkeypatch):
    import geodata

    def no_load(*args, **kwargs):
        raise AssertionError("the park was loaded before the outputs were checked")

    monkeypatch.setattr(geodata, "load_park", no_load)
    good = tmp_path / f"ok{_SUFFIX[command]}"
    bad = tmp_path / "missing" / f"extra{suffix}"
    assert main([*_quick(command, park, good), option, str(bad)]) == 1
    err = capsys.readouterr().err
    assert "输出文件夹" in err and str(bad.parent) in err, err
    assert not good.exists()


def test_output_into_read_only_folder(park, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        # root may write into a 0o555 folder; answer as the folder's mode says, as for every other user
        if Path(path) == folder and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    try:
        assert main(["map", str(park), "-o", str(folder / "park.html")]) == 1
        err = capsys.readouterr().err
        assert "没有写入权限" in err and str(folder) in err, err
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_output_that_is_a_folder_is_refused(park, tmp_path, capsys):
    (tmp_path / "x.html").mkdir()
    assert main(["map", str(park), "-o", str(tmp_path / "x.html")]) == 1
    assert "是一个文件夹" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------------------
# Finding 9: domino --samples beyond the limit (memory)
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("samples", ["1e8", "100000000"])
def test_domino_samples_beyond_limit(samples, park, tmp_path, capsys):
    out = tmp_path / "edges.gpkg"
    assert main(["domino", str(park), "-o", str(out), "--samples", samples]) == 1
    err = capsys.readouterr().err
    assert "--samples" in err and "100000" in err and "--max-samples" in err, err
    assert not out.exists()


def test_domino_samples_not_a_count(park, tmp_path, capsys):
    assert main(["domino", str(park), "-o", str(tmp_path / "e.gpkg"), "--samples", "0"]) == 1
    assert main(["domino", str(park), "-o", str(tmp_path / "e.gpkg"), "--samples", "12.5"]) == 1
    assert main(["domino", str(park), "-o", str(tmp_path / "e.gpkg"), "--levels", "many"]) == 1
    err = capsys.readouterr().err
    assert err.count("应为") == 3 and "12.5" in err and "many" in err, err


def test_domino_raised_limit_still_estimates_memory(park, tmp_path, capsys):
    out = tmp_path / "edges.gpkg"
    argv = ["domino", str(park), "-o", str(out), "--samples", "1e8", "--max-samples", "1e9"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "内存" in err and "GB" in err and "90 个设施" in err, err
    assert not out.exists()


# ---------------------------------------------------------------------------------------------------------------
# Finding 10 (part): every command that loads a park takes --coords and passes it to the loader
# ---------------------------------------------------------------------------------------------------------------
_LOADING = {
    "validate": lambda p, t: ["validate", p],
    "info": lambda p, t: ["info", p],
    "map": lambda p, t: ["map", p, "-o", f"{t}/m.html"],
    "zones": lambda p, t: ["zones", p, "--unit", "T-3"],
    "domino": lambda p, t: ["domino", p, "-o", f"{t}/e.gpkg"],
    "risk": lambda p, t: ["risk", p, "-o", f"{t}/r.tif"],
    "siting": lambda p, t: ["siting", p, "-o", f"{t}/s.xlsx"],
    "major-hazards": lambda p, t: ["major-hazards", p],
    "pipelines": lambda p, t: ["pipelines", p],
    "evacuate": lambda p, t: ["evacuate", p, "--unit", "T-3"],
}


@pytest.mark.parametrize("command", list(_LOADING))
@pytest.mark.parametrize("coords", ["GCJ-02", "BD-09", "CGCS2000"])
def test_every_loading_command_passes_coords(command, coords, park, tmp_path, monkeypatch, capsys):
    import geodata
    from app.commands import park as park_commands
    from geodata import ParkDataError

    seen = []

    def fake_load(path, *args, coords="WGS84", **kwargs):
        seen.append(coords)
        raise ParkDataError("测试：停止加载")

    monkeypatch.setattr(geodata, "load_park", fake_load)
    monkeypatch.setattr(park_commands, "load_park", fake_load, raising=False)
    assert main([*_LOADING[command](str(park), str(tmp_path)), "--coords", coords]) == 1
    assert seen == [coords]


def test_every_command_that_loads_a_park_is_covered():
    """A new command that takes a park must be added to _LOADING (and get --coords)."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    takes_park = set()
    for name, p in sub.choices.items():
        dests = {a.dest for a in p._actions}
        if name != "rect" and ({"park", "path"} & dests):
            takes_park.add(name)
    assert takes_park == set(_LOADING) | {"app"}
    for name in takes_park:
        assert "coords" in {a.dest for a in sub.choices[name]._actions}, name


# ---------------------------------------------------------------------------------------------------------------
# Finding 10 (part): risk and siting show progress with the time left and refuse a park beyond a limit the user
# can raise (the limit itself is analysis.qra's RiskOptions.max_installations)
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["risk", "siting"])
def test_risk_commands_refuse_beyond_max_installations(command, park, tmp_path, capsys):
    out = tmp_path / f"result{_SUFFIX[command]}"
    assert main([*_quick(command, park, out), "--max-installations", "10"]) == 1
    err = capsys.readouterr().err
    assert "90" in err and "上限 10" in err and "--max-installations 90" in err, err
    assert not out.exists()


def test_risk_prints_progress_with_time_left(park, tmp_path, capsys):
    out = tmp_path / "ir.tif"
    assert main(_quick("risk", park, out)) == 0
    err = capsys.readouterr().err
    assert "%]" in err and re.search(r"（(\d+)/\1，预计剩余 约 \d+ 秒）", err), err[-500:]
    assert out.exists()


def test_second_output_that_is_the_park_is_refused(park, tmp_path, capsys, monkeypatch):
    import geodata

    def no_load(*args, **kwargs):
        raise AssertionError("the park was loaded before the outputs were checked")

    monkeypatch.setattr(geodata, "load_park", no_load)
    before = digest(park)
    assert main(["risk", str(park), "-o", str(tmp_path / "ir.tif"), "--contours", str(park)]) == 1
    assert "就是输入的园区数据" in capsys.readouterr().err
    assert digest(park) == before
    assert not (tmp_path / "ir.tif").exists()


def test_full_disk_reported_by_gdal_without_errno(park, tmp_path, monkeypatch, capsys):
    """GDAL (rasterio) reports a full disk as "Write failed. See previous exception" chained to the OS error."""
    from rasterio.errors import RasterioIOError

    from analysis.qra.individual import IndividualRisk

    def gdal_write(self, path):
        Path(path).write_bytes(b"partial")
        try:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError as exc:
            raise RasterioIOError("Write failed. See previous exception for details.") from exc

    monkeypatch.setattr(IndividualRisk, "to_geotiff", gdal_write)
    out = tmp_path / "ir.tif"
    assert main(_quick("risk", park, out)) == 1
    assert "磁盘空间不足" in capsys.readouterr().err
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["park.gpkg"]


# ---------------------------------------------------------------------------------------------------------------
# Finding 9: an unforeseen error or running out of memory ends in a Chinese message, not a traceback
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "needle"),
    [(KeyError("_rank"), "程序内部错误"), (MemoryError(), "内存不足")],
)
def test_unforeseen_errors_end_in_a_message(error, needle, park, tmp_path, monkeypatch, capsys):
    import app.mapping

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(app.mapping, "park_map", broken)
    monkeypatch.delenv("PARKRISK_DEBUG", raising=False)
    out = tmp_path / "m.html"
    assert main(["map", str(park), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert needle in err and "PARKRISK_DEBUG" in err, err
    assert not out.exists()
    monkeypatch.setenv("PARKRISK_DEBUG", "1")
    with pytest.raises(type(error)):
        main(["map", str(park), "-o", str(out)])
