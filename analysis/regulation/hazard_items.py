"""The 20 items of 重大生产安全事故隐患判定标准（试行）[1]_ and the findings the park data can decide.

The items are in ``analysis/data/mem_2017_121_major_hazard_items.csv`` (number, text, short text, suggested
rectification category, and which analysis detects it). A rectification item citing one of them is a major hazard
(重大隐患) — the store forces ``hazard_level = "major"`` (:func:`geodata.store.normalise_record`).

Findings from the data (besides items 3 and 13 of :mod:`analysis.regulation.findings`):

- item 6: a fully pressurised liquefied-hydrocarbon tank (installation kind storage/spherical/bullet tank, phase
  ``liquefied_gas``, a liquefied hydrocarbon) whose optional field ``water_injection`` is ``no``;
- item 7: a loading bay of liquefied hydrocarbons, liquid ammonia or liquid chlorine whose optional field
  ``loading_arm`` is ``no``;
- item 8: a pipeline carrying phosgene, chlorine or hydrogen sulfide with a stretch outside every enterprise and
  park polygon (a public area outside the plant and the park). Other highly toxic gases are not listed by name in
  [1]_ ("光气、氯气等剧毒气体"): they are not checked and need the inspector.

An empty optional field means "not known": no finding.

References
----------
.. [1] 国家安全监管总局. 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）（安监总管三〔2017〕121号）,
   2017, items (一)–(二十).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import geopandas as gpd
import pandas as pd

from analysis.physics import substances
from analysis.regulation.rectification.items import Evidence, Finding

__all__ = [
    "LIQUEFIED_HYDROCARBON_CAS",
    "LOADING_ITEM7_CAS",
    "TOXIC_PIPELINE_ITEM8_CAS",
    "major_hazard_items",
    "item_label_zh",
    "findings_from_equipment",
    "findings_from_toxic_pipelines",
    "findings_from_data",
]

#: Liquefied hydrocarbons (LPG, propane, n-butane, isobutane, propylene, ethylene, 1,3-butadiene, 1-butene).
LIQUEFIED_HYDROCARBON_CAS: frozenset[str] = frozenset(
    {"68476-85-7", "74-98-6", "106-97-8", "75-28-5", "115-07-1", "74-85-1", "106-99-0", "106-98-9"}
)
#: Item 7: liquefied hydrocarbons, ammonia 7664-41-7, chlorine 7782-50-5.
LOADING_ITEM7_CAS: frozenset[str] = LIQUEFIED_HYDROCARBON_CAS | {"7664-41-7", "7782-50-5"}
#: Item 8: phosgene 75-44-5, chlorine 7782-50-5, hydrogen sulfide 7783-06-4 (the gases [1]_ names).
TOXIC_PIPELINE_ITEM8_CAS: frozenset[str] = frozenset({"75-44-5", "7782-50-5", "7783-06-4"})
_TANKS = ("storage_tank", "spherical_tank", "bullet_tank")
_BASIS = "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》（安监总管三〔2017〕121号）"


@functools.cache
def _items() -> pd.DataFrame:
    with resources.files("analysis.data").joinpath("mem_2017_121_major_hazard_items.csv").open("rb") as fh:
        df = pd.read_csv(fh, dtype={"item": int}, keep_default_na=False)
    if list(df["item"]) != list(range(1, 21)):
        raise ValueError("重大隐患判定标准数据文件应恰好有第 1～20 条")
    return df


def major_hazard_items() -> pd.DataFrame:
    """The 20 items: ``item`` (1–20), ``text_zh``, ``short_zh``, ``category``, ``detected_by`` (empty: inspection)."""
    return _items().copy()


def item_label_zh(item: int | None) -> str:
    """``第N条 短文`` for an item number, ``一般隐患（不属于判定标准所列情形）`` for None.

    Raises
    ------
    ValueError
        If ``item`` is not 1–20 or None.
    """
    if item is None:
        return "一般隐患（不属于判定标准所列情形）"
    if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 20:
        raise ValueError(f"重大隐患判定条目 {item!r} 无效：请填 1～20 的条号，或留空表示一般隐患")
    return f"第{item}条 {_items().loc[item - 1, 'short_zh']}"


def _cas(name: Any) -> str | None:
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return None
    try:
        return substances.get(str(name)).cas
    except (KeyError, ValueError):
        return None


def _wgs84_point(geom: Any, crs: Any) -> Any:
    return gpd.GeoSeries([geom], crs=crs).to_crs(4326).iloc[0]


def findings_from_equipment(park: Any) -> list[Finding]:
    """Items 6 and 7 from the optional installation fields ``water_injection`` and ``loading_arm``."""
    inst = park.installations
    out: list[Finding] = []
    names = dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True))
    for _, u in inst.iterrows():
        cas = _cas(u.get("substance"))
        ent = u["enterprise_id"]
        where = f"{names.get(ent, ent)} {u['name']}（{u['unit_id']}）"
        point = u.geometry.representative_point()
        if (
            u.get("water_injection") == "no"
            and u["kind"] in _TANKS
            and u["phase"] == "liquefied_gas"
            and cas in LIQUEFIED_HYDROCARBON_CAS
        ):
            out.append(
                Finding(
                    kind="equipment",
                    subject_ids=(str(u["unit_id"]),),
                    description_zh=f"{where}为全压力式液化烃储罐，未设置注水措施",
                    enterprise_id=ent,
                    hazard_level="major",
                    geometry=point,
                    category="equipment",
                    measure_zh="按 GB 50160 等国家标准为全压力式液化烃储罐设置注水措施",
                    basis_zh=f"{_BASIS}第（六）项",
                    major_hazard_item=6,
                )
            )
        if u.get("loading_arm") == "no" and u["kind"] == "loading_bay" and cas in LOADING_ITEM7_CAS:
            out.append(
                Finding(
                    kind="equipment",
                    subject_ids=(str(u["unit_id"]),),
                    description_zh=f"{where}充装{u['substance']}未使用万向管道充装系统",
                    enterprise_id=ent,
                    hazard_level="major",
                    geometry=point,
                    category="equipment",
                    measure_zh="改用万向管道充装系统（装卸臂）进行充装",
                    basis_zh=f"{_BASIS}第（七）项",
                    major_hazard_item=7,
                )
            )
    return out


def findings_from_toxic_pipelines(park: Any) -> list[Finding]:
    """Item 8: phosgene, chlorine or H₂S pipelines with a stretch outside every enterprise and park polygon."""
    pipes = park.metric("pipelines")
    if pipes.empty:
        return []
    inside = pd.concat([park.metric("parks").geometry, park.metric("enterprises").geometry]).union_all()
    out: list[Finding] = []
    for _, p in pipes.iterrows():
        if _cas(p.get("substance")) not in TOXIC_PIPELINE_ITEM8_CAS:
            continue
        outside = p.geometry.difference(inside)
        length = float(outside.length)  # [m], metric CRS
        if outside.is_empty or length < 1.0:
            continue
        out.append(
            Finding(
                kind="toxic_pipeline",
                subject_ids=(str(p["pipeline_id"]),),
                description_zh=(
                    f"{p['name']}（{p['pipeline_id']}，输送{p['substance']}）有 {length:,.0f} m 管段穿越厂区和园区以外的公共区域"
                ),
                enterprise_id=None,
                hazard_level="major",
                geometry=_wgs84_point(outside.representative_point(), pipes.crs),
                category="layout_spacing",
                evidence=(Evidence("园区和厂区外管段长度", length, "m"),),
                measure_zh="调整管道路由，使剧毒气体或硫化氢管道不穿越厂区（园区）外的公共区域",
                basis_zh=f"{_BASIS}第（八）项",
                major_hazard_item=8,
            )
        )
    return out


def findings_from_data(park: Any) -> list[Finding]:
    """Items 6, 7 and 8 from the park data (:func:`findings_from_equipment`, :func:`findings_from_toxic_pipelines`)."""
    return findings_from_equipment(park) + findings_from_toxic_pipelines(park)
