"""Analysis results kept with the park: what each kind is stored as, where, from which inputs, and for whom.

- :func:`results_target`: where a park keeps its results — PostGIS when the app's store is PostGIS
  (``PARKRISK_STORE``), else the park's own GeoPackage when it may be written (a park named by ``PARKRISK_PARK``
  or on the command line), else a results GeoPackage beside the app's data (the bundled demo park, uploads,
  folders and workbooks are never written).
- :func:`inputs_hash` / :func:`is_stale`: the sha256 of only the inputs a kind depends on (its layers, the wind
  rose, the population grid, the confirmed F-N constants, the options it was run with); a stored result whose
  inputs changed since is shown as 已过期.
- :func:`to_stored` (and one converter per kind): an analysis result -> :class:`geodata.results.StoredResult`
  (layers in EPSG:4326 with Chinese columns, summary figures with units, see /work/wave4_results_schema.md).
- :func:`load_for_user`: a stored result as a user may see it (:func:`app.auth.redact_result`, and the GB 18218
  figures dropped for users who may not read them).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import shapely

from app.results_convert import CONVERTERS, sci_zh
from geodata.results import (
    KIND_LABELS_ZH,
    RESULT_KINDS,
    PostgisResults,
    ResultMeta,
    StoredResult,
    list_results,
    load_result,
    save_result,
)

__all__ = [
    "RESULT_KINDS",
    "KIND_LABELS_ZH",
    "KIND_PAGES",
    "KIND_INPUTS",
    "SENSITIVE_STORED_COLUMNS",
    "STALE_ZH",
    "results_target",
    "sidecar_path",
    "park_key",
    "inputs_hash",
    "is_stale",
    "inputs_version",
    "stale_reasons",
    "to_stored",
    "to_json_options",
    "for_user",
    "store",
    "load_for_user",
    "list_for_user",
    "computed_at_zh",
    "status_zh",
    "sci_zh",
]

BEIJING = ZoneInfo("Asia/Shanghai")
STALE_ZH = "已过期"
#: The page that computes and explains each kind (file of app/views and its title).
KIND_PAGES: dict[str, tuple[str, str]] = {
    "risk": ("risk", "风险分布"),
    "domino": ("domino", "多米诺效应"),
    "five_rooms": ("siting", "选址与防护距离"),
    "major_hazards": ("major_hazard", "重大危险源"),
    "hca": ("pipelines", "管道高后果区"),
    "emergency": ("emergency", "应急疏散"),
}
#: What each kind depends on: park layers, and ``weather`` (the park's wind rose), ``population`` (the population
#: grid beside the park), ``fn_criterion`` (the confirmed GB 36894 F-N constants).
KIND_INPUTS: dict[str, tuple[str, ...]] = {
    "risk": (
        "parks",
        "enterprises",
        "installations",
        "pipelines",
        "sensitive_targets",
        "buildings",
        "population_areas",
        "weather",
        "population",
        "fn_criterion",
    ),
    "domino": ("installations",),  # analysis.domino.units: the installations (their enterprise_id included)
    "five_rooms": ("installations", "buildings"),  # five_rooms_check: class D, not the rose
    "major_hazards": ("enterprises", "installations", "sensitive_targets"),  # gb18218.park: α
    "hca": ("installations", "pipelines", "sensitive_targets", "roads"),  # pipelines.assess -> identify_hca
    "emergency": (  # emergency.plan: the wind and time are options, not the park's rose
        "installations",
        "pipelines",
        "sensitive_targets",
        "buildings",
        "roads",
        "assembly_points",
    ),
}
#: Stored columns (and summary keys) no user without ``read_sensitive`` receives: the GB 18218 ratios and
#: inventories (see :data:`app.auth.SENSITIVE_RESULT_COLUMNS`, whose names are blanked too).
SENSITIVE_STORED_COLUMNS = frozenset(
    {"r_value", "s_value", "max_r", "inventory_kg", "inventory_t", "mass_kg"}
)


# -- where ------------------------------------------------------------------------------------------------------
def park_key(park_path: str | os.PathLike) -> str:
    """The park's key in a shared PostGIS store: the file name and a hash of its absolute path."""
    p = Path(park_path).resolve()
    return f"{p.name}#{hashlib.sha256(str(p).encode('utf-8')).hexdigest()[:12]}"


def sidecar_path(park_path: str | os.PathLike) -> Path:
    """The results GeoPackage of a park that is not written itself: ``<data_dir>/<stem>-<hash>.results.gpkg``."""
    from geodata.store import data_dir

    p = Path(park_path).resolve()
    tag = hashlib.sha256(str(p).encode("utf-8")).hexdigest()[:8]
    return data_dir() / f"{p.stem}-{tag}.results.gpkg"


def _writable_park_file(path: Path) -> bool:
    from app.settings import DEMO_PARK_PATH

    if path.suffix.lower() != ".gpkg" or not path.is_file():
        return False
    if path.resolve() == Path(DEMO_PARK_PATH).resolve():
        return False  # the bundled demo park is never written
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def results_target(
    park_path: str | os.PathLike, *, source_kind: str = "env", store: Any = None
) -> Path | PostgisResults:
    """Where the park at ``park_path`` keeps its results.

    Parameters
    ----------
    park_path : path
        The park file or folder.
    source_kind : str
        ``env`` (``PARKRISK_PARK`` or the command line), ``demo``, ``upload`` or ``region`` (a park opened from
        区域监管: in the PostGIS store of ``PARKRISK_STORE`` when it is one, :func:`app.region.sources.
        region_results_target`) (:class:`app.state.ParkSource`).
    store : RectificationStore, optional
        The park's store; a PostGIS store keeps the results of all its parks.
    """
    if store is not None and getattr(store, "backend", "") == "postgis":
        return PostgisResults(store, park_key(park_path))
    if source_kind == "region":  # from 区域监管: the app's PostGIS store (its own store is only its ledger)
        from app.region.sources import region_results_target

        shared = region_results_target(park_path, park_key(park_path))
        if shared is not None:
            return shared
    path = Path(park_path)
    if source_kind == "env" and _writable_park_file(path):
        return path
    return sidecar_path(path)


# -- which inputs -------------------------------------------------------------------------------------------------
def _frame_digest(h: Any, frame: pd.DataFrame) -> None:
    """Feed a layer (columns sorted, geometry as WKB, values as text) into the hash ``h``."""
    geom = getattr(frame, "_geometry_column_name", None)
    cols = sorted(str(c) for c in frame.columns if c != geom)
    h.update(json.dumps(cols, ensure_ascii=False).encode("utf-8"))
    h.update(str(len(frame)).encode())
    for c in cols:
        values = frame[c].astype(object).where(frame[c].notna(), None).tolist()
        h.update(json.dumps(values, ensure_ascii=False, default=str).encode("utf-8"))
    if geom is not None:
        for wkb in shapely.to_wkb(frame.geometry.to_numpy(), hex=False, output_dimension=2):
            h.update(b"\x00" if wkb is None else wkb)


_DIGESTS: dict[int, tuple[weakref.ref, bytes]] = {}


def _layer_digest(frame: pd.DataFrame) -> bytes:
    """sha256 of a layer, remembered while the frame lives (the park's layers are not modified in place; the
    overview checks every stored kind on each rerun)."""
    hit = _DIGESTS.get(id(frame))
    if hit is not None and hit[0]() is frame:
        return hit[1]
    h = hashlib.sha256()
    _frame_digest(h, frame)
    digest = h.digest()
    key = id(frame)
    try:
        ref = weakref.ref(frame, lambda _r: _DIGESTS.pop(key, None))
    except TypeError:  # not weak-referenceable: not remembered
        return digest
    _DIGESTS[key] = (ref, digest)
    return digest


def _criterion_record(park: Any) -> Mapping | None:
    from geodata.criteria import read_fn_criterion

    try:
        return read_fn_criterion(getattr(park, "source", None))
    except ValueError:
        return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True).encode("utf-8")


def _input_digest(park: Any, name: str) -> str:
    """The digest of one input of :data:`KIND_INPUTS` (``-`` when the park has none)."""
    h = hashlib.sha256()
    if name == "weather":
        w = getattr(park, "weather", None)
        if w is None:
            return "-"
        h.update(_layer_digest(w.rose))
        h.update(_json(dict(w.station)))
    elif name == "population":
        raster = getattr(park, "population_raster", None)  # geodata.population.PopulationRaster
        if raster is None:
            return "-"
        for band in (raster.night, raster.day):
            h.update(np.ascontiguousarray(band, dtype=np.float64).tobytes())
        h.update(repr(tuple(raster.transform)).encode())
        crs = raster.crs
        h.update((crs.to_wkt() if hasattr(crs, "to_wkt") else str(crs)).encode())
    elif name == "fn_criterion":
        rec = _criterion_record(park)
        if rec is None:
            return "-"
        h.update(_json(dict(rec)))
    elif name in park.layers:
        h.update(_layer_digest(park.layers[name]))
    else:
        return "-"
    return h.hexdigest()[:16]


def inputs_version(park: Any, kind: str, options: Mapping | None = None) -> dict:
    """What a result of ``kind`` depends on, each as a short digest: ``package`` (the parkrisk version), ``code``
    (:func:`app.results_version.code_digest`), ``data`` (each bundled table the code reads), ``inputs`` (each
    input of :data:`KIND_INPUTS`: its layers, the wind rose, the population grid, the F-N constants) and
    ``options``. Stored with the result (``summary["inputs_version"]``) so that :func:`stale_reasons` can say what
    changed."""
    from app import results_version as rv

    if kind not in RESULT_KINDS:
        raise ValueError(f"结果类型 kind={kind!r} 未知：应为 {list(RESULT_KINDS)} 之一")
    return {
        "package": rv.package_version(),
        "code": rv.code_digest(kind),
        "data": dict(rv.data_digests(kind)),
        "inputs": {name: _input_digest(park, name) for name in KIND_INPUTS[kind]},
        "options": _digest(_json(dict(options or {}))),
    }


def _version_hash(kind: str, version: Mapping) -> str:
    return hashlib.sha256(f"parkrisk-results-v2|{kind}|".encode() + _json(dict(version))).hexdigest()


def inputs_hash(park: Any, kind: str, options: Mapping | None = None) -> str:
    """sha256 of what ``kind`` depends on (:func:`inputs_version`): the program (parkrisk version, the hash of the
    analysis code and of the bundled tables it reads), only the park inputs of :data:`KIND_INPUTS` and ``options``
    (JSON-able).

    Editing another layer (the rectification items, a road for the risk grid) leaves the hash as it is.
    """
    return _version_hash(kind, inputs_version(park, kind, options))


def is_stale(park: Any, stored: StoredResult) -> bool:
    """True when what ``stored`` was computed from has changed since (its options as stored): the park's inputs,
    the program or the bundled tables (see :func:`stale_reasons` for the Chinese reasons)."""
    return inputs_hash(park, stored.kind, stored.summary.get("options")) != stored.inputs_hash


#: Chinese names of the inputs in the reasons of :func:`stale_reasons`.
INPUT_NAMES_ZH = {
    "weather": "气象数据（风玫瑰）",
    "population": "人口栅格",
    "fn_criterion": "F-N 社会风险判据设置",
}


def _layer_zh(name: str) -> str:
    from geodata import schema

    spec = schema.LAYERS.get(name)
    return f"图层「{spec.label_zh}」" if spec is not None else f"图层「{name}」"


def stale_reasons(park: Any, stored: StoredResult) -> list[str]:
    """Why ``stored`` is out of date, in Chinese (``计算后气象数据（风玫瑰）已更改``, ``计算程序已更新（…）``);
    empty when it is current."""
    if not is_stale(park, stored):
        return []
    old = stored.summary.get("inputs_version")
    if not isinstance(old, Mapping):
        return ["计算程序已更新：此结果由旧版程序计算，未记录计算程序和数据的版本"]
    new = inputs_version(park, stored.kind, stored.summary.get("options"))
    out = []
    if old.get("package") != new["package"]:
        out.append(f"计算程序已更新（parkrisk {old.get('package', '—')} → {new['package']}）")
    elif old.get("code") != new["code"]:
        out.append("计算程序已更新（分析模型代码已修改）")
    old_data = dict(old.get("data") or {})
    changed = sorted(n for n in set(old_data) | set(new["data"]) if old_data.get(n) != new["data"].get(n))
    if changed:
        out.append(f"计算所用的数据表已更新（{'、'.join(changed)}）")
    old_inputs = dict(old.get("inputs") or {})
    for name, digest in new["inputs"].items():
        if old_inputs.get(name) != digest:
            what = INPUT_NAMES_ZH.get(name) or _layer_zh(name)
            out.append(f"计算后{what}已更改")
    if old.get("options") != new["options"]:
        out.append("计算参数已更改")
    return out or ["计算后园区数据已更改"]


# -- results -> stored layers ---------------------------------------------------------------------------------
def to_json_options(options: Mapping | None) -> dict:
    """``options`` as stored (JSON types; anything else as its text)."""
    return json.loads(json.dumps(dict(options or {}), ensure_ascii=False, default=str))


def to_stored(
    kind: str,
    result: Any,
    park: Any,
    *,
    computed_by: str,
    options: Mapping | None = None,
    computed_at: datetime | None = None,
) -> StoredResult:
    """``result`` of analysis ``kind`` (computed on the full park) as a :class:`StoredResult`.

    ``result`` is what the page or command computed: risk, an :class:`analysis.qra.individual.IndividualRisk`;
    domino, an :class:`analysis.domino.DominoResult`; five_rooms, the table of
    :func:`analysis.regulation.siting_checks.five_rooms_check`; major_hazards, ``(units, enterprises)`` of
    :func:`analysis.regulation.gb18218.enterprise_grades`; hca, an :class:`analysis.pipelines.PipelineAssessment`;
    emergency, an :class:`analysis.emergency.EmergencyPlan` (or the page's zones-only result).
    ``options`` (JSON-able) are the choices it was run with; they are stored and enter the inputs hash.
    """
    if kind not in CONVERTERS:
        raise ValueError(f"结果类型 kind={kind!r} 未知：应为 {list(RESULT_KINDS)} 之一")
    opts = to_json_options(options)
    layers, summary = CONVERTERS[kind](result, park)
    version = inputs_version(park, kind, opts)
    summary = {**summary, "options": opts, "kind_zh": KIND_LABELS_ZH[kind], "inputs_version": version}
    return StoredResult(
        kind=kind,
        layers=layers,
        summary=summary,
        computed_at=computed_at or datetime.now(UTC),
        computed_by=computed_by or "匿名",
        inputs_hash=_version_hash(kind, version),
        grid=summary.pop("_grid", None),
    )


def store(
    target: Any,
    kind: str,
    result: Any,
    park: Any,
    *,
    computed_by: str,
    options: Mapping | None = None,
) -> StoredResult:
    """Convert and save ``result`` (see :func:`to_stored`); returns what was stored."""
    stored = to_stored(kind, result, park, computed_by=computed_by, options=options)
    save_result(target, stored)
    return stored


# -- for a user -----------------------------------------------------------------------------------------------
def _drop_sensitive(stored: StoredResult) -> StoredResult:
    import dataclasses

    layers = {
        name: gdf.drop(columns=[c for c in gdf.columns if str(c).lower() in SENSITIVE_STORED_COLUMNS])
        for name, gdf in stored.layers.items()
    }
    summary = {k: v for k, v in stored.summary.items() if str(k).lower() not in SENSITIVE_STORED_COLUMNS}
    return dataclasses.replace(stored, layers=layers, summary=summary)


def for_user(user: Any, stored: StoredResult | None) -> StoredResult | None:
    """``stored`` as ``user`` may see it (see :func:`load_for_user`)."""
    from app.auth import may_read_sensitive, redact_result

    if stored is None or may_read_sensitive(user):
        return stored
    return redact_result(user, _drop_sensitive(stored))


def load_for_user(target: Any, kind: str, user: Any) -> StoredResult | None:
    """The stored result of ``kind`` as ``user`` may see it (None when there is none): for users without
    ``read_sensitive`` (viewers, anonymous users) the GB 18218 figures (:data:`SENSITIVE_STORED_COLUMNS`) are
    dropped and every text and column goes through :func:`app.auth.redact_result`."""
    return for_user(user, load_result(target, kind))


def list_for_user(target: Any, user: Any) -> dict[str, StoredResult]:
    """Every stored result as ``user`` may see it, by kind."""
    return {k: for_user(user, load_result(target, k)) for k in list_results(target)}


# -- texts ----------------------------------------------------------------------------------------------------
def computed_at_zh(meta: ResultMeta | StoredResult) -> str:
    """``2026-12-07 16:30 北京时间``."""
    return f"{meta.computed_at.astimezone(BEIJING):%Y-%m-%d %H:%M} 北京时间"


def status_zh(meta: ResultMeta | StoredResult, stale: bool, reasons: list[str] | None = None) -> str:
    """One line: what, when (Beijing time), by whom and whether it is out of date (with ``reasons``, from
    :func:`stale_reasons`, when given)."""
    text = f"{KIND_LABELS_ZH[meta.kind]}：{computed_at_zh(meta)}由「{meta.computed_by}」计算"
    if stale and reasons:
        return f"{text}；{'；'.join(reasons)}，结果{STALE_ZH}"
    if stale:
        return f"{text}；园区数据、参数或计算程序已改变，结果{STALE_ZH}"
    return f"{text}；与当前园区数据一致"


def finite_or_none(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None
