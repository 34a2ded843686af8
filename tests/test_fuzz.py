"""Fuzz test (issue 13): malformed park layers through ``validate``, the upload path and every CLI command.

A mutation of the app tests' small park (tests/factories.py) — a wrong type, NaN, ±inf, a negative, huge or empty
value, a NUL byte, an unknown enumeration value or substance, an Excel error value, a missing column, an empty
layer, an invalid, empty or far-away geometry, a duplicate id or a dangling reference — is written as a GeoPackage
and as an XLSX workbook. Each file goes through :func:`geodata.load_park`, the app's upload path
(:func:`app.uploads.save_upload` then :func:`app.state.load_park_cached`) and ``parkrisk validate/info/map/zones/
domino/risk/siting/major-hazards/pipelines/evacuate`` in-process (:func:`app.cli.main`), each under a wall-clock
guard. No exception may escape, no output may hold a traceback, and a refusal of the data names the layer, the
row (its id), the field and the value. Hypothesis runs derandomised (the same examples on every run).
"""

from __future__ import annotations

import contextlib
import io
import math
import signal
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely
from factories import small_park_layers
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from geodata import ParkDataError, load_park, schema
from geodata.validate import _short

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

COMMAND_SECONDS = 60  # wall-clock guard of one command: beyond it the command is taken to hang
EMPTY = object()  # a value that reads back as missing (NaN, "", None): nothing to name but the field


@dataclass(frozen=True)
class Mutation:
    """One change to the small park and what a refusal must name."""

    what: str
    layer: str
    row: int | None = None  # row position (its id is named)
    column: str | None = None
    value: object = EMPTY

    def apply(self, layers: dict[str, gpd.GeoDataFrame]) -> None:
        df = layers[self.layer]
        if self.what == "value":
            df[self.column] = df[self.column].astype(object)
            df.loc[self.row, self.column] = self.value
        elif self.what == "drop_column":
            layers[self.layer] = df.drop(columns=[self.column])
        elif self.what == "empty_layer":
            layers[self.layer] = df.iloc[0:0][["geometry"]]
        elif self.what == "geometry":
            geoms = df.geometry.to_numpy().copy()
            geoms[self.row] = self.value
            layers[self.layer] = df.set_geometry(gpd.GeoSeries(geoms, crs=df.crs))
        elif self.what == "duplicate_id":
            df.loc[self.row, self.column] = df.loc[0, self.column]
        else:  # pragma: no cover - the strategy only builds the kinds above
            raise AssertionError(self.what)


_BASE = small_park_layers()
_LAYERS = [n for n in schema.LAYER_ORDER if n in _BASE and len(_BASE[n])]
_BAD_VALUES = [
    "abc",
    "",
    "  ",
    "x\x00y",
    math.nan,
    math.inf,
    -math.inf,
    -1.0,
    1e300,
    10**20,
    "#DIV/0!",
    "#N/A",
    "#VALUE!",
    "#REF!",
    "no_such_key",
    "未知物质X",
]
_BAD_GEOMETRIES = [
    None,
    shapely.Point(),
    shapely.Polygon([(114.30, 30.60), (114.31, 30.61), (114.31, 30.60), (114.30, 30.61), (114.30, 30.60)]),
    shapely.Point(200.0, 100.0),
    shapely.Point(0.0, 0.0),
    shapely.Point(30.60, 114.30),
    shapely.LineString([(114.30, 30.60), (114.31, 30.61)]),
]


@st.composite
def mutations(draw) -> Mutation:
    layer = draw(st.sampled_from(_LAYERS))
    spec = schema.LAYERS[layer]
    row = draw(st.integers(0, len(_BASE[layer]) - 1))
    kind = draw(st.sampled_from(["value", "value", "value", "drop_column", "empty_layer", "geometry", "dup"]))
    if kind == "value":
        col = draw(st.sampled_from(spec.column_names))
        return Mutation("value", layer, row, col, draw(st.sampled_from(_BAD_VALUES)))
    if kind == "drop_column":
        return Mutation("drop_column", layer, None, draw(st.sampled_from(spec.required_columns)))
    if kind == "empty_layer":
        return Mutation("empty_layer", layer)
    if kind == "geometry":
        return Mutation(
            "geometry", layer, row, "geometry", draw(st.sampled_from(range(len(_BAD_GEOMETRIES))))
        )
    return Mutation("duplicate_id", layer, max(row, 1) if len(_BASE[layer]) > 1 else 0, spec.id_column)


def _layers_of(m: Mutation) -> dict[str, gpd.GeoDataFrame]:
    layers = {k: v.copy() for k, v in small_park_layers().items()}
    if m.what == "geometry":
        m = Mutation(m.what, m.layer, m.row, m.column, _BAD_GEOMETRIES[m.value])
    m.apply(layers)
    return layers


# ------------------------------------------------------------------------------------------------ writers
def _write_gpkg(layers: dict[str, gpd.GeoDataFrame], path: Path) -> bool:
    """The layers as a GeoPackage; False when GDAL itself cannot store the values (nothing to test then)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, gdf in layers.items():
                out = gdf.copy()
                for col in out.columns:
                    if col != out.geometry.name and out[col].dtype == object:
                        out[col] = [None if _missing(v) else str(v) for v in out[col]]
                out.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    except Exception:  # noqa: BLE001 - a value GDAL cannot write is not a parkrisk case
        return False
    return True


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _write_xlsx(layers: dict[str, gpd.GeoDataFrame], path: Path) -> bool:
    """The layers as a workbook, one sheet each with a ``wkt`` column; False when Excel cannot hold a value."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    try:
        for name, gdf in layers.items():
            ws = wb.create_sheet(name)
            cols = [c for c in gdf.columns if c != gdf.geometry.name]
            ws.append([*cols, "wkt"])
            for i in range(len(gdf)):
                g = gdf.geometry.iloc[i]
                wkt = None if g is None else shapely.to_wkt(g)
                ws.append([_cell(gdf[c].iloc[i]) for c in cols] + [wkt])
        wb.save(path)
    except Exception:  # noqa: BLE001 - NUL bytes, inf, 10**20: values a worksheet cannot hold
        return False
    return True


def _cell(v):
    if _missing(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


# ------------------------------------------------------------------------------------------------ running
class _Hang(Exception):
    pass


@contextlib.contextmanager
def _guard(what: str):
    def alarm(signum, frame):
        raise _Hang(f"{what} ran longer than {COMMAND_SECONDS} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(COMMAND_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _cli(args: list[str]) -> tuple[int, str]:
    """Run ``parkrisk args`` in-process; (exit code, stdout + stderr). Any exception escaping fails the test."""
    from app.cli import main

    out, err = io.StringIO(), io.StringIO()
    with (
        _guard("parkrisk " + " ".join(args)),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            rc = main(args)
        except SystemExit as exc:  # argparse
            rc = exc.code if isinstance(exc.code, int) else 2
    text = out.getvalue() + err.getvalue()
    assert isinstance(rc, int), (args, rc)
    assert "Traceback" not in text, (args, text[-3000:])
    return rc, text


def _commands(park: Path, out: Path, unit: str) -> list[list[str]]:
    p = str(park)
    return [
        ["validate", p],
        ["info", p],
        ["major-hazards", p, "-o", str(out / "mh.xlsx")],
        ["map", p, "-o", str(out / "map.html")],
        ["zones", p, "--unit", unit, "-o", str(out / "zones.geojson")],
        ["evacuate", p, "--unit", unit, "-o", str(out / "evac.geojson")],
        ["pipelines", p, "-o", str(out / "pipes.gpkg")],
        ["domino", p, "-o", str(out / "domino.gpkg"), "--samples", "200"],
        ["risk", p, "-o", str(out / "risk.tif"), "--resolution", "100"],
        ["siting", p, "-o", str(out / "siting.xlsx"), "--resolution", "100"],
    ]


#: Problem kinds about one feature: they name its row (id) and the field.
_ROW_KINDS = {
    "bad_type",
    "missing_value",
    "unknown_enum",
    "nonpositive_inventory",
    "implausible",
    "empty_geometry",
    "invalid_geometry",
    "wrong_geometry_type",
    "duplicate_id",
    "dangling_reference",
    "outside_china",
    "unknown_substance",
    "excel_error",
    "inconsistent_dates",
}
#: Of those, the kinds where the value is empty (nothing to show but the field).
_NO_VALUE = {"missing_value", "empty_geometry"}


def _check_report(report) -> None:
    """Every error names its layer; one about a feature names the row, the field and (unless empty) the value."""
    assert report.errors, report.to_text_zh()
    for p in report.errors:
        assert p.layer or p.kind == "unreadable", p
        assert p.message_zh and p.fix_zh, p
        if p.kind in _ROW_KINDS:
            assert p.row_id and p.column, p
            assert p.kind in _NO_VALUE or p.value is not None, p


def _check_text(report, text: str) -> None:
    """A refusal shown by the CLI or the app carries the report: each error's layer, row and field."""
    for p in report.errors[:10]:
        value = None if p.value is None else _short(p.value)[:40]
        for part in (p.layer, p.row_id, p.column, value):
            if part and "\x00" not in part:
                assert part in text, (part, p, text[-2000:])


def _upload(path: Path, folder: Path) -> tuple[bool, str]:
    """The app's upload path: store the bytes, then load them as a page does. (loaded, refusal text)."""
    from app.state import load_park_cached

    try:  # the upload rules in their own module (issue 13, finding 6) ...
        from app import uploads
        from app.settings import UploadLimits
    except ImportError:  # ... or still in app.state
        uploads = None
    with _guard(f"upload {path.name}"):
        try:
            if uploads is None:
                from app.state import save_upload

                load_park_cached(save_upload(path.name, path.read_bytes()), "WGS84")
                return True, ""
            limits = UploadLimits(folder=folder)
            try:
                stored = uploads.save_upload(path.name, path.read_bytes(), limits=limits, owner="fuzz")
                load_park_cached(stored, "WGS84", limits.max_rows)
            finally:
                uploads.release("fuzz", limits)
        except ParkDataError as exc:
            return False, exc.report.to_text_zh() if exc.report is not None else str(exc)
        except ValueError as exc:  # a refused upload (size, archive): named by the upload's own message
            return False, str(exc)
    return True, ""


@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: a failure shows its example as generated
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(m=mutations())
def test_malformed_layers_never_crash_and_refusals_name_the_problem(m):
    layers = _layers_of(m)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = []
        if _write_gpkg(layers, tmp / "park.gpkg"):
            files.append(tmp / "park.gpkg")
        if _write_xlsx(layers, tmp / "park.xlsx"):
            files.append(tmp / "park.xlsx")
        for path in files:
            fmt = path.suffix
            with _guard(f"load_park {path.name}"):
                try:
                    load_park(path)
                    report = None
                except ParkDataError as exc:
                    report = exc.report
                    _check_report(report)
            loaded = report is None
            up_loaded, up_text = _upload(path, tmp / "uploads")
            assert up_loaded == loaded, (m, fmt, up_text[-2000:])
            if not loaded:
                _check_text(report, up_text)
            out = tmp / f"out{fmt}"
            out.mkdir()
            cmds = _commands(path, out, "U1")
            for args in cmds if (loaded and fmt == ".gpkg") else cmds[:3]:
                rc, text = _cli(args)
                if not loaded:
                    assert rc == 1, (m, args, text[-2000:])
                    _check_text(report, text)
                else:
                    assert rc in (0, 1), (m, args, text[-2000:])
                    assert rc == 0 or "错误" in text, (m, args, text[-2000:])
