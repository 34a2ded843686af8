"""One park of a region: the regulator's figures, computed by the public functions of ``analysis`` (one task each).

:func:`park_result` loads a park (a file, or a park of a PostGIS region: :mod:`geodata.pg_parks`) and returns a plain, JSON-ready ``dict`` (so that it travels between dask
workers and is cached as a file): the park's name, place and grade; enterprises by risk colour; 两重点一重大
enterprises (:func:`analysis.regulation.key_supervision.two_key_one_major`) and major hazards by grade (GB 18218-2018
units); the individual-risk grid (:func:`analysis.qra.individual.individual_risk`) with the largest risk outside the
park boundary and the GB 36894-2018 check of every sensitive target
(:func:`analysis.regulation.siting_checks.compliance`); a domino summary (:func:`analysis.domino.analyze`); and the
rectification items (dates, status, level) from which :mod:`app.region.stats` computes 整改率, 按期整改率, overdue
items and the monthly trend for any reporting date — so that the cached result does not depend on the date. The
items are the park's ``rectifications`` layer, or, when the park's items live in a store (the 一园一策 ledger),
the items that store holds now (read by :mod:`app.region.sources` and passed in as ``items``).

The park's population grid (``<park>.population.tif``, or its PostGIS raster) enters the individual and societal
risk as :func:`geodata.load_park` and :func:`geodata.pg_parks.read_park` put it on the park, and its confirmed
GB 36894 F-N constants (the park file's ``fn_criterion`` table, or its ``park_fn_criterion`` rows) give the F-N lines
of the societal-risk verdict (:func:`analysis.qra.fn_settings.park_fn_criterion`; without them the standard's
unconfirmed lines, as the result says). Malformed constants stop the park with a message naming the table, field,
value and fix, in a folder as in PostGIS.

A part that fails (no wind rose, bad data) is reported in ``errors`` (Chinese: the park, what failed and the fix);
the other parts are still computed. A park without a wind rose is refused for the risk grid by the model itself
(:class:`analysis.errors.MissingWeatherError`) unless the run asks for the generic illustrative rose
(``generic_weather``), which the result then says (``weather_source``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from app.present.messages import message_zh
from geodata.pg_parks import PgPark

__all__ = ["RegionOptions", "park_result", "ITEM_FIELDS", "failed_result", "items_records"]

log = logging.getLogger(__name__)

#: Rectification item fields kept in a park's result (what the date-dependent statistics need).
ITEM_FIELDS: tuple[str, ...] = (
    "item_id",
    "enterprise_id",
    "hazard_level",
    "major_hazard_item",
    "status",
    "found_on",
    "deadline",
    "closed_on",
)

_COLOURS = ("red", "orange", "yellow", "blue")


@dataclass(frozen=True)
class RegionOptions:
    """How each park of a region is computed (part of every park's cache key).

    Attributes
    ----------
    resolution : float
        Cell size of the individual-risk grid. [m]
    domino_samples : int
        Monte Carlo samples per primary event of the domino analysis. [-]
    domino_levels : int
        Deepest escalation level of the domino analysis. [-]
    generic_weather : bool
        Parks without a wind rose use the generic illustrative rose (stated in the result) instead of failing.
    """

    resolution: float = 50.0
    domino_samples: int = 500
    domino_levels: int = 3
    generic_weather: bool = False

    def __post_init__(self) -> None:
        r = self.resolution
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not np.isfinite(r) or not 5 <= r <= 500:
            raise ValueError(f"resolution={r!r} 无效：个人风险网格分辨率应在 5～500 m 之间")
        for name, lo, hi in (("domino_samples", 10, 100_000), ("domino_levels", 1, 6)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise ValueError(f"{name}={v!r} 无效：应为 {lo}～{hi} 之间的整数")

    def as_key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def _label(file: str, name: str = "") -> str:
    if name:
        return f"园区「{name}」（{file}）"
    return f"园区文件 {file}" if file.lower().endswith(".gpkg") else f"园区 {file}"


def failed_result(where: str | Path | PgPark, message_zh: str) -> dict[str, Any]:
    """The result of a park that could not be loaded at all: its file (or PostGIS park id), no figures, the
    error."""
    file, stem = _names(where)
    return {"file": file, "park_id": stem, "name": "", "errors": [message_zh], "loaded": False}


def _names(where: str | Path | PgPark) -> tuple[str, str]:
    if isinstance(where, PgPark):
        return where.park_id, where.park_id
    p = Path(where)
    return p.name, p.stem


def _place(park) -> dict[str, Any]:
    import shapely

    parks = park.parks
    row = parks.iloc[0] if len(parks) else None
    geom = row.geometry if row is not None else None
    if geom is None or geom.is_empty:
        lon, lat = park.center
        boundary = None
    else:
        c = geom.centroid
        lon, lat = c.x, c.y
        boundary = json.loads(shapely.to_geojson(shapely.simplify(geom, 0.0005)))
    grade = "" if row is None or pd.isna(row.get("risk_grade")) else str(row["risk_grade"])
    level = "" if row is None or pd.isna(row.get("level")) else str(row["level"])
    pid = "" if row is None or pd.isna(row.get("park_id")) else str(row["park_id"])
    return {"park_id": pid, "lon": round(float(lon), 6), "lat": round(float(lat), 6), "boundary": boundary}, {
        "grade": grade,
        "level": level,
    }


def _enterprises(park) -> dict[str, Any]:
    colours = park.enterprises["risk_color"].astype("string")
    out = {"n_enterprises": int(len(colours))}
    out.update({f"colour_{c}": int((colours == c).sum()) for c in _COLOURS})
    return out


def _hazards(park) -> dict[str, Any]:
    from analysis.regulation.key_supervision import two_key_one_major

    res = two_key_one_major(park)
    ents = res.enterprises
    units = res.units
    major = units[units["major_hazard"].astype(bool)].drop_duplicates("hazard_unit")
    grades = pd.to_numeric(major["major_hazard_grade"], errors="coerce")
    out = {"two_key": int(ents["two_key_one_major"].astype(bool).sum()), "major_hazards": int(len(major))}
    out.update({f"major_grade_{g}": int((grades == g).sum()) for g in (1, 2, 3, 4)})
    return out


def _sig(v: float) -> float:
    return float(f"{float(v):.10g}")


def _risk(park, opts: RegionOptions) -> dict[str, Any]:
    import shapely

    from analysis.qra import individual as risk
    from analysis.qra.fn_settings import park_fn_criterion
    from analysis.regulation import siting_checks as scx

    weather = "generic" if opts.generic_weather and getattr(park, "weather", None) is None else None
    res = risk.individual_risk(
        park, resolution=float(opts.resolution), weather=weather, max_installations=None
    )
    ny, nx = res.grid.shape
    cols, rows = np.meshgrid(np.arange(nx) + 0.5, np.arange(ny) + 0.5)
    x, y = res.transform @ (cols, rows)
    boundary = park.parks.to_crs(res.crs).geometry.union_all() if len(park.parks) else None
    inside = (
        shapely.contains_xy(boundary, x, y) if boundary is not None else np.zeros_like(res.grid, dtype=bool)
    )
    outside = res.grid[~inside]
    comp = scx.compliance(res, park)
    crit = park_fn_criterion(getattr(park, "fn_criterion", None))  # the park's confirmed constants, else GB's
    soc = risk.societal_risk(res, criterion=crit)
    raster = getattr(park, "population_raster", None)
    return {  # 10 significant digits: the same on every worker whatever its BLAS threads sum in which order
        "ir_max": _sig(res.grid.max()) if res.grid.size else 0.0,
        "ir_max_outside": _sig(outside.max()) if outside.size else 0.0,
        "n_targets": int(len(comp)),
        "targets_failed_existing": int((~comp["pass_existing"].astype(bool)).sum()),
        "targets_failed_new": int((~comp["pass_new"].astype(bool)).sum()),
        "weather_source": str(res.assumptions.get("weather_source", "")),
        "generic_weather": weather == "generic",
        "pll": _sig(soc.pll),
        "fn_verdict": str(soc.overall),
        "fn_criterion_confirmed": bool(crit.confirmed),
        "fn_upper_c": _sig(crit.upper_c),
        "fn_lower_c": _sig(crit.lower_c) if crit.lower_c is not None else None,
        "population_raster_persons": _sig(raster.total_night) if raster is not None else None,
    }


def _domino(park, opts: RegionOptions) -> dict[str, Any]:
    from analysis.domino import analyze

    d = analyze(park, n_samples=int(opts.domino_samples), max_level=int(opts.domino_levels))
    edges, ranking = d.edges, d.ranking
    hub = ""
    if len(ranking) and "hub_rank" in ranking:
        top = ranking.sort_values(["hub_rank", "unit_id"]).iloc[0]
        hub = str(top["unit_id"]) if float(top.get("out_strength", 0.0)) > 0 else ""
    lost = pd.to_numeric(d.primary_events.get("expected_total", pd.Series(dtype=float)), errors="coerce")
    return {
        "domino_edges": int(len(edges)),
        "domino_crossing": int(edges["crosses_enterprise"].astype(bool).sum()) if len(edges) else 0,
        "domino_hub": hub,
        "domino_max_expected": _sig(lost.max()) if lost.notna().any() else 0.0,
    }


def _iso(v: Any) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return pd.Timestamp(v).date().isoformat()


def items_records(rect: pd.DataFrame, *, with_version: bool = False) -> list[dict[str, Any]]:
    """Rectification items as plain records of :data:`ITEM_FIELDS` (dates as ISO text, JSON-ready), from a park's
    ``rectifications`` layer or a store's :meth:`~geodata.store.RectificationStore.items_frame`
    (``with_version``: and each item's ``version``), ordered as given."""
    out = []
    for rec in rect.to_dict("records"):
        item = {}
        for f in ITEM_FIELDS:
            v = rec.get(f)
            if f in ("found_on", "deadline", "closed_on"):
                item[f] = _iso(v)
            elif f == "major_hazard_item":
                item[f] = None if v is None or pd.isna(v) else int(v)
            else:
                item[f] = None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        if with_version:
            item["version"] = int(rec["version"])
        out.append(item)
    return out


_PART_ZH = {
    "hazards": "重大危险源与两重点一重大辨识",
    "risk": "个人风险与 GB 36894 校核",
    "domino": "多米诺效应分析",
}


def _load(where: Path | PgPark) -> tuple[Any, str | None]:
    """The park, or None and the Chinese reason it could not be loaded."""
    from geodata import ParkDataError, load_park
    from geodata.criteria import FN_CRITERION_TABLE, fn_problems_zh, read_fn_criterion
    from geodata.pg_parks import ParkDatabaseError, read_park

    file, _ = _names(where)
    try:
        if isinstance(where, PgPark):  # with its population grid and F-N constants (geodata.pg_park_extras)
            return read_park(where.dsn, where.park_id, schema=where.schema), None
        park = load_park(where)  # with its population grid <park>.population.tif
    except ParkDataError as exc:
        report = getattr(exc, "report", None)
        problems = [
            f"{p.message_zh}（{p.fix_zh}）" for p in (report.errors if report is not None else [])[:3]
        ]
        first = "；".join(problems) or (str(exc).splitlines() or [""])[0]
        check = (
            f"请在数据库中修改园区 {file} 的数据后重新运行"
            if isinstance(where, PgPark)
            else f"请运行 parkrisk validate {file} 查看完整报告，修改数据（或用 QGIS 打开检查是否为有效的 GeoPackage）后重新运行"
        )
        return None, f"{_label(file)}未通过数据校验，未计算：{first}。{check}。"
    except ParkDatabaseError as exc:
        return None, f"{_label(file)}无法从数据库读取：{message_zh(exc)}"
    except (OSError, ValueError) as exc:
        return (
            None,
            f"{_label(file)}无法读取：{message_zh(exc)}。请确认它是有效的 GeoPackage（.gpkg），可用 QGIS 打开检查。",
        )
    try:
        park.fn_criterion = read_fn_criterion(
            where
        )  # the constants a user confirmed, as read_park gives them
    except ParkDataError as exc:
        return None, (
            f"{_label(file)}的社会风险判据常数表 {FN_CRITERION_TABLE}（GB 36894 F-N）有误，未计算："
            f"{fn_problems_zh(exc) or exc}。"
            "请在该园区的「风险分布」页重新录入这些常数，或用 SQLite 工具改正该表后重新运行。"
        )
    return park, None


def park_result(
    where: str | Path | PgPark,
    options: RegionOptions | None = None,
    *,
    items: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The regulator's figures of one park (see the module docstring); never raises for bad data.

    Parameters
    ----------
    where : path or PgPark
        A park file, or a park in a PostGIS region (:class:`geodata.pg_parks.PgPark`).
    options : RegionOptions, optional
    items : list of dict, optional
        The park's rectification items as its live store holds them (:func:`app.region.sources.store_items`);
        default the park's own ``rectifications`` layer.

    Returns
    -------
    dict
        ``file`` (file name, or the park id in PostGIS), ``park_id``, ``name``, ``lon``/``lat`` [°], ``boundary``
        (GeoJSON, WGS84), ``grade``, ``level``, ``n_enterprises``, ``colour_red`` … ``colour_blue``, ``two_key``,
        ``major_hazards``, ``major_grade_1`` … ``major_grade_4``, ``ir_max`` / ``ir_max_outside`` [1/a],
        ``n_targets``, ``targets_failed_existing``, ``targets_failed_new``, ``weather_source``,
        ``generic_weather``, ``pll`` (potential loss of life [人/a]), ``fn_verdict`` (the F-N curve against the
        park's GB 36894 lines: ``unacceptable``/``alarp``/``acceptable``/``not_assessed``), ``fn_criterion_confirmed``,
        ``fn_upper_c`` / ``fn_lower_c`` (the lines' C at N = 1 [1/a]: the park's confirmed constants, else the
        standard's), ``population_raster_persons`` (night-time persons in the park's population grid, None
        without one), ``domino_edges``, ``domino_crossing``, ``domino_hub``, ``domino_max_expected``
        [units], ``items`` (rectification records, :data:`ITEM_FIELDS`), ``items_source`` (``layer`` or
        ``store``), ``errors`` (Chinese messages of the parts that failed), ``loaded``.
    """
    from analysis.errors import AnalysisInputError

    opts = options or RegionOptions()
    where = where if isinstance(where, PgPark) else Path(where)
    file, stem = _names(where)
    park, why = _load(where)
    if park is None:
        return failed_result(where, why)
    place, grade = _place(park)
    out: dict[str, Any] = {"file": file, "name": park.name, "loaded": True, **place, **grade}
    out["park_id"] = out["park_id"] or stem
    out.update(_enterprises(park))
    errors: list[str] = []
    parts = (("hazards", _hazards, ()), ("risk", _risk, (opts,)), ("domino", _domino, (opts,)))
    for key, fn, args in parts:
        try:
            out.update(fn(park, *args))
        except (AnalysisInputError, ValueError, KeyError) as exc:
            log.info("region: %s %s failed: %s", file, key, exc)
            errors.append(f"{_label(file, park.name)}的{_PART_ZH[key]}未完成：{message_zh(exc)}")
    if items is None:
        out["items"], out["items_source"] = items_records(park.rectifications), "layer"
    else:
        out["items"] = [{f: it.get(f) for f in ITEM_FIELDS} for it in items]
        out["items_source"] = "store"
    out["errors"] = errors
    return out
