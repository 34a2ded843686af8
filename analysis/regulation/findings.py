"""From analysis results to rectification findings (分析发现 → 整改事项).

Turns the results of the domino analysis (:func:`analysis.domino.analyze`), the GB 36894-2018 compliance of the
sensitive targets (:func:`analysis.regulation.gb36894.compliance_table` / :func:`analysis.regulation.siting_checks.compliance`) and the
五室 building check (:func:`analysis.regulation.siting_checks.five_rooms_check`, or any table with the columns documented in
:func:`findings_from_buildings`) into :class:`analysis.regulation.rectification.Finding` objects: one per problem, linked to
the ids of the features concerned, with a Chinese description as a park manager writes it in an inspection list,
a suggested category (schema enumeration ``rectification_category``), a hazard level, a WGS84 point and the
numbers behind it (:class:`analysis.regulation.rectification.Evidence`, SI units).

Hazard level (重大隐患 or 一般隐患). The criteria of [1]_ were checked against its published text (item numbers as
in the notice, 第（一）–（二十）项). Two of its items can follow from our analyses:

- item (三): "涉及'两重点一重大'的生产装置、储存设施外部安全防护距离不符合国家标准要求" — a sensitive target
  failing its GB 36894-2018 individual-risk limit [2]_ is a major hazard when a unit causing the risk is part of a
  major hazard installation (GB 18218-2018 [3]_, S ≥ 1; a unit holding a substance GB 18218 cannot classify counts
  as major, :func:`analysis.regulation.gb18218.unit_flags`) or runs a key-supervised hazardous process (the
  ``hazardous_process`` column). The third leg, key-supervised hazardous chemicals (重点监管危险化学品), is NOT
  checked: the project has no list of them; such findings say so and stay 一般隐患 for the manager to confirm;
- item (十三): "控制室或机柜间面向具有火灾、爆炸危险性装置一侧不满足国家标准关于防火防爆的要求" — a control room
  or cabinet room loaded above the criteria of the 五室 check is a major hazard. Labs, offices and shift rooms
  (the other 五室) are not named in [1]_: general hazards (a park may rate them higher by local rules).

The page 一园一策 and ``parkrisk rect findings`` run one pipeline: :func:`run_park_analyses` (domino analysis and
五室 check, options in :class:`FindingsOptions`), :func:`findings_from_analyses` (or both at once,
:func:`park_findings`) and :func:`propose_from_findings` (status against the store and the proposed items).

Spacing within domino escalation distance is not an item of [1]_: general hazards. The fire-spacing codes
(GB 50160, GB 50016) remain the binding check of layout; the domino finding gives the physical evidence.

References
----------
.. [1] 国家安全监管总局. 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）（安监总管三〔2017〕121号）,
   2017, items (三) and (十三).
.. [2] GB 36894-2018 危险化学品生产装置和储存设施风险基准 (individual-risk limits).
.. [3] GB 18218-2018 危险化学品重大危险源辨识, formula (1).
.. [4] Cozzani V., Gubinelli G., Salzano E. (2006). Escalation thresholds in the assessment of domino accidental
   events. J. Hazard. Mater. A129, 1–21; Cozzani V. et al. (2005). J. Hazard. Mater. A127, 14–30 (escalation
   probability) — the models of :mod:`analysis.domino`.
.. [5] GB 50779-2012 石油化工控制室抗爆设计规范 (blast design loads used by the 五室 check).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from analysis._checks import finite_number
from analysis._text import per_year_zh
from analysis.regulation.gb18218 import unit_flags
from analysis.regulation.rectification import Evidence, Finding, ProposalOptions, ProposedItem, propose_items
from geodata import schema

log = logging.getLogger(__name__)

__all__ = [
    "RULE_EXTERNAL_DISTANCE_ZH",
    "RULE_CONTROL_ROOM_ZH",
    "MAJOR_ROOM_USES",
    "BUILDING_CHECK_COLUMNS",
    "findings_from_domino",
    "findings_from_compliance",
    "findings_from_buildings",
    "finding_status",
    "pending_findings",
    "findings_table",
    "FindingsOptions",
    "ParkAnalyses",
    "run_park_analyses",
    "findings_from_analyses",
    "park_findings",
    "FindingProposals",
    "propose_from_findings",
]

#: [1]_ item (三), quoted.
RULE_EXTERNAL_DISTANCE_ZH = "安监总管三〔2017〕121号第（三）项：涉及“两重点一重大”的生产装置、储存设施外部安全防护距离不符合国家标准要求"
#: [1]_ item (十三), quoted.
RULE_CONTROL_ROOM_ZH = "安监总管三〔2017〕121号第（十三）项：控制室或机柜间面向具有火灾、爆炸危险性装置一侧不满足国家标准关于防火防爆的要求"
#: Building uses whose failure of the 五室 check is a major hazard ([1]_ item (十三)).
MAJOR_ROOM_USES: tuple[str, ...] = ("control_room", "cabinet_room")
#: Columns of the long form of a building check accepted by :func:`findings_from_buildings`.
BUILDING_CHECK_COLUMNS: tuple[str, ...] = (
    "building_id",
    "use",
    "load_kind",
    "load",
    "threshold",
    "source_unit",
)

_LOAD_LABEL_ZH = {"overpressure": "冲击波超压", "heat_flux": "热辐射"}
_LOAD_UNIT = {"overpressure": "Pa", "heat_flux": "W/m²"}


def _fmt_load(kind: str, value: float) -> str:
    if kind == "overpressure":
        return f"{value / 1e3:.1f} kPa"  # 1 kPa = 1e3 Pa
    return f"{value / 1e3:.1f} kW/m²"  # 1 kW/m² = 1e3 W/m²


def _is_null(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _names(park: Any) -> tuple[dict[str, str], dict[str, str]]:
    ents = park.enterprises
    inst = park.installations
    ent_names = dict(zip(ents["enterprise_id"].astype(str), ents["name"].astype(str), strict=True))
    unit_names = dict(zip(inst["unit_id"].astype(str), inst["name"].astype(str), strict=True))
    return ent_names, unit_names


def _to_wgs84_point(geom: BaseGeometry, crs: Any) -> BaseGeometry:
    import geopandas as gpd

    pt = geom.representative_point() if geom.geom_type != "Point" else geom
    return gpd.GeoSeries([pt], crs=crs).to_crs(4326).iloc[0]


# ---------------------------------------------------------------------------------------------------------------
# Domino escalation pairs -> layout_spacing findings
# ---------------------------------------------------------------------------------------------------------------
def findings_from_domino(result: Any, park: Any, *, min_probability: float = 0.01) -> list[Finding]:
    """One finding per pair of installations within escalation distance (either direction).

    Parameters
    ----------
    result : analysis.domino.DominoResult
        Its ``edges`` (source, target, scenario, vector, load [Pa | W/m²], threshold, probability [-],
        distance_m, required_distance_m, extra_distance_m [m], measure_zh, crosses_enterprise,
        source/target_enterprise, target_equipment; geometry in ``result.crs``).
    park : geodata.Park
        For the names of units and enterprises.
    min_probability : float
        Escalation probability from which an edge becomes a finding. [-]

    Returns
    -------
    list of Finding
        Kind ``domino_spacing`` (category ``layout_spacing``), level general (not an item of [1]_), subjects the
        two unit ids; described by the direction with the highest probability (its primary scenario, load,
        threshold and measure), with the probability of the reverse direction when it also escalates. A pair of
        two enterprises is flagged 【跨企业】 and assigned to the park (enterprise None). Sorted by probability,
        highest first.
    """
    from analysis import domino

    min_probability = finite_number("min_probability", min_probability, low=0.0, high=1.0)
    e = result.edges
    if len(e) == 0:
        return []
    e = e[e["probability"] >= min_probability]
    if len(e) == 0:
        return []
    ent_names, unit_names = _names(park)
    e = e.assign(
        _pair=[tuple(sorted((str(a), str(b)))) for a, b in zip(e["source"], e["target"], strict=True)]
    )
    out: list[tuple[float, Finding]] = []
    for pair, grp in e.groupby("_pair", sort=True):
        best = grp.sort_values(["probability", "load"], ascending=False).iloc[0]
        src, tgt = str(best["source"]), str(best["target"])
        rev = grp[grp["source"] == tgt]
        p_rev = float(rev["probability"].max()) if len(rev) else 0.0
        cross = bool(grp["crosses_enterprise"].any())
        es, et = str(best["source_enterprise"]), str(best["target_enterprise"])
        vec = str(best["vector"])
        load, thr, p = float(best["load"]), float(best["threshold"]), float(best["probability"])
        dist = float(best["distance_m"])
        scen_zh = domino.PRIMARY_LABELS_ZH.get(str(best["scenario"]), str(best["scenario"]))
        equip_zh = domino.EQUIPMENT_LABELS_ZH.get(
            str(best["target_equipment"]), str(best["target_equipment"])
        )

        def unit(u: str, ent: str, with_ent: bool) -> str:
            name = unit_names.get(u, u)
            return f"{ent_names.get(ent, ent) if with_ent else ''}{name}（{u}）"

        if cross:
            head = f"【跨企业】{unit(src, es, True)}与{unit(tgt, et, True)}"
        else:
            head = f"{ent_names.get(es, es)}{unit(src, es, False)}与{unit(tgt, et, False)}"
        text = (
            f"{head}间距 {dist:.1f} m，{src}发生{scen_zh}时{tgt}处{_LOAD_LABEL_ZH[vec]} {_fmt_load(vec, load)}，"
            f"超过{equip_zh}升级阈值 {_fmt_load(vec, thr)}，多米诺升级概率 {p:.2f}"
        )
        if p_rev > 0:
            text += f"（反向 {tgt}→{src} 升级概率 {p_rev:.2f}）"
        text += "，存在多米诺连锁事故风险"
        ev = [
            Evidence("设施间距（轮廓间）", dist, "m"),
            Evidence(f"{tgt}处{_LOAD_LABEL_ZH[vec]}", load, _LOAD_UNIT[vec]),
            Evidence(f"{equip_zh}升级阈值", thr, _LOAD_UNIT[vec]),
            Evidence(f"升级概率 {src}→{tgt}", p, "-"),
        ]
        if p_rev > 0:
            ev.append(Evidence(f"升级概率 {tgt}→{src}", p_rev, "-"))
        req = float(best.get("required_distance_m", np.nan))
        if math.isfinite(req):
            ev.append(Evidence("消除升级所需间距", req, "m"))
        geom = _to_wgs84_point(best.geometry.interpolate(0.5, normalized=True), result.crs)
        finding = Finding(
            kind="domino_spacing",
            subject_ids=pair,
            description_zh=text,
            enterprise_id=None if cross else es,
            hazard_level="general",
            geometry=geom,
            evidence=tuple(ev),
            measure_zh=str(best.get("measure_zh", ""))
            + ("；跨企业问题由园区统筹协调相关企业整改" if cross else ""),
            basis_zh=(
                "Cozzani 等（2006）升级阈值与 Cozzani 等（2005）升级概率模型（多米诺分析）；防火间距另按 "
                "GB 50160、GB 50016 核对；不属于安监总管三〔2017〕121号所列重大事故隐患情形，按一般隐患"
            ),
        )
        out.append((max(p, p_rev), finding))
    out.sort(key=lambda t: -t[0])
    return [f for _, f in out]


# ---------------------------------------------------------------------------------------------------------------
# GB 36894 compliance -> external_distance findings
# ---------------------------------------------------------------------------------------------------------------
def _as_list(v: Any) -> list[str]:
    if isinstance(v, list | tuple | np.ndarray | pd.Series):
        return [str(x) for x in v if not _is_null(x) and str(x)]
    if _is_null(v) or v == "":
        return []
    return [s for s in str(v).replace("、", ",").split(",") if s.strip()]


def findings_from_compliance(table: pd.DataFrame, park: Any, *, new: bool = False) -> list[Finding]:
    """Sensitive targets failing their GB 36894-2018 individual-risk limit ([2]_) → external_distance findings.

    Parameters
    ----------
    table : DataFrame
        :func:`analysis.regulation.gb36894.compliance_table` output (target_id, name, protection_class, individual_risk
        [1/a], limit_new, limit_existing [1/a], ...); the extra columns of :func:`analysis.regulation.siting_checks.compliance`
        (``top_units``, ``top_enterprises``, ``contributors_zh``) name the installations causing the risk and are
        used for the hazard level and the responsible enterprise when present.
    park : geodata.Park
        For the target geometries and the installations (两重点一重大 flags).
    new : bool
        Judge against the limits for new installations (default: existing ones).

    Returns
    -------
    list of Finding
        Kind ``risk_limit`` (category ``external_distance``), subject the target id, worst exceedance first.
        Major ([1]_ item (三)) when a contributing unit is a GB 18218 major hazard or runs a key-supervised
        process; otherwise general, with a note to confirm the key-supervised chemicals. Responsible enterprise:
        the single contributing enterprise, else the park (None).
    """
    from analysis.regulation.gb36894 import relocation_candidates

    fail = relocation_candidates(table, new=new)
    if len(fail) == 0:
        return []
    tg = park.sensitive_targets.set_index(park.sensitive_targets["target_id"].astype(str))
    flags = unit_flags(park.installations) if len(park.installations) else None
    out = []
    for _, r in fail.iterrows():
        tid = str(r["target_id"])
        if tid not in tg.index:
            raise ValueError(
                f"table 中的防护目标 target_id={tid!r} 不在园区 sensitive_targets 图层中 / not in the park"
            )
        geom = tg.at[tid, "geometry"]
        units = _as_list(r.get("top_units")) if "top_units" in fail.columns else []
        ents = (
            list(dict.fromkeys(_as_list(r.get("top_enterprises"))))
            if "top_enterprises" in fail.columns
            else []
        )
        known_units = [u for u in units if flags is not None and u in flags.index]
        qualifying = [u for u in known_units if bool(flags.at[u, "two_key_one_major"])]
        # a unit whose substance GB 18218 cannot classify counts as a major hazard (fail closed): say so
        unknown = [u for u in known_units if flags.at[u, "reason_zh"]]
        level = "major" if qualifying else "general"
        pc = schema.label_zh("protection_class", str(r["protection_class"]))
        text = f"防护目标「{r.get('name', tid)}」（{pc}，{tid}）{str(r['reason_zh']).removeprefix(pc)}，外部安全防护距离不满足要求"
        contrib = str(r.get("contributors_zh", "") or "")
        if contrib and contrib not in text:
            text += f"；主要风险来源：{contrib}"
        if qualifying:
            text += f"；{'、'.join(qualifying)} 涉及“两重点一重大”，判定为重大事故隐患"
            basis = RULE_EXTERNAL_DISTANCE_ZH + "；个人风险基准：GB 36894-2018"
        elif units:
            text += (
                "；风险来源装置未识别为重大危险源或重点监管工艺，如涉及重点监管危险化学品应按重大事故隐患判定"
            )
            basis = "GB 36894-2018 个人风险基准；未核对重点监管危险化学品（如涉及，适用安监总管三〔2017〕121号第（三）项）"
        else:
            text += "；未给出风险来源装置，需核实是否涉及“两重点一重大”（涉及则为重大事故隐患）"
            basis = "GB 36894-2018 个人风险基准；是否适用安监总管三〔2017〕121号第（三）项待核实"
        if unknown:
            text += f"（{'、'.join(unknown)} 的物质未能按 GB 18218 辨识，按重大危险源从严判定）"
        out.append(
            Finding(
                kind="risk_limit",
                subject_ids=(tid,),
                description_zh=text,
                enterprise_id=ents[0] if len(ents) == 1 else None,
                hazard_level=level,
                major_hazard_item=3 if qualifying else None,  # [1], item (三)
                geometry=_to_wgs84_point(geom, park.sensitive_targets.crs),
                evidence=(
                    Evidence("个人风险", float(r["individual_risk"]), "1/a"),
                    Evidence(f"GB 36894-2018 {'新建' if new else '在役'}装置基准", float(r["limit"]), "1/a"),
                    Evidence("超出倍数", float(r["exceedance"]), "-"),
                ),
                measure_zh=(
                    "降低主要风险来源装置的风险（减少在线存量、增设紧急切断和安全仪表、工艺替代），使防护目标个人风险"
                    f"降至 {per_year_zh(r['limit'])}以下；不能降至基准以下的，将防护目标列为搬迁候选"
                ),
                basis_zh=basis,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------------------
# 五室 building check -> five_rooms findings
# ---------------------------------------------------------------------------------------------------------------
def _long_building_table(check: pd.DataFrame) -> pd.DataFrame:
    """The check in long form (one row per building and load kind above its threshold)."""
    if "verdict" in check.columns and "overpressure" in check.columns:
        # analysis.regulation.siting_checks.five_rooms_check (wide form): thresholds of its verdict rule.
        from analysis.regulation.siting_checks import BLAST_DESIGN_LOADS_PA, HEAT_FLUX_LIMIT_W_M2

        big, small = BLAST_DESIGN_LOADS_PA[0][0], BLAST_DESIGN_LOADS_PA[1][0]
        rows = []
        for _, r in check[check["verdict"].astype(str) != "ok"].iterrows():
            base = {
                "building_id": str(r["building_id"]),
                "use": str(r["use"]),
                "enterprise_id": r.get("enterprise_id"),
                "name": r.get("name"),
                "blast_resistant": r.get("blast_resistant"),
                "verdict": str(r["verdict"]),
                "distance_m": r.get("distance_m"),
            }
            p = float(r["overpressure"])
            blast_ok = (
                bool(r.get("blast_resistant", False)) if not _is_null(r.get("blast_resistant")) else False
            )
            thr_p = big if (p >= big or blast_ok) else small
            if p >= thr_p:
                rows.append(
                    base
                    | {
                        "load_kind": "overpressure",
                        "load": p,
                        "threshold": thr_p,
                        "source_unit": str(r.get("overpressure_source", "")),
                    }
                )
            q = float(r["heat_flux"])
            if q >= HEAT_FLUX_LIMIT_W_M2:
                rows.append(
                    base
                    | {
                        "load_kind": "heat_flux",
                        "load": q,
                        "threshold": HEAT_FLUX_LIMIT_W_M2,
                        "source_unit": str(r.get("heat_flux_source", "")),
                    }
                )
        return pd.DataFrame(
            rows,
            columns=[
                *BUILDING_CHECK_COLUMNS,
                "enterprise_id",
                "name",
                "blast_resistant",
                "verdict",
                "distance_m",
            ],
        )
    missing = [c for c in BUILDING_CHECK_COLUMNS if c not in check.columns]
    if missing:
        raise ValueError(
            f"check_table 缺少列 {missing}；需要 {list(BUILDING_CHECK_COLUMNS)}（长表），或 "
            "analysis.regulation.siting_checks.five_rooms_check 的输出 / missing columns"
        )
    bad = sorted(set(check["load_kind"].astype(str)) - set(_LOAD_UNIT))
    if bad:
        raise ValueError(
            f"check_table.load_kind 取值 {bad} 无效；可选 {list(_LOAD_UNIT)} / invalid load_kind"
        )
    out = check.copy()
    out["building_id"] = out["building_id"].astype(str)
    load = pd.to_numeric(out["load"], errors="coerce")
    thr = pd.to_numeric(out["threshold"], errors="coerce")
    return out[(load >= thr).fillna(False).to_numpy(dtype=bool)]


def findings_from_buildings(check_table: pd.DataFrame, park: Any) -> list[Finding]:
    """五室 buildings (control room, cabinet room, lab, office, shift room) in a blast or fire zone → findings.

    Parameters
    ----------
    check_table : DataFrame
        Either the output of :func:`analysis.regulation.siting_checks.five_rooms_check` (building_id, enterprise_id, name, use,
        blast_resistant, overpressure [Pa], overpressure_source, heat_flux [W/m²], heat_flux_source, distance_m,
        verdict ``relocate`` | ``blast_proof`` | ``ok``; the thresholds of its verdict rule are used: 21 kPa, or
        6.9 kPa for a building that is not blast-resistant [5]_, and 12.5 kW/m²), or a long table with one row per
        building and load: ``building_id``, ``use`` (schema ``building_use``), ``load_kind`` (``overpressure`` |
        ``heat_flux``), ``load`` [Pa | W/m²], ``threshold`` [Pa | W/m²], ``source_unit`` (unit id, optionally
        followed by a space and the scenario); optional ``enterprise_id``, ``name``, ``blast_resistant``. Rows with
        load ≥ threshold are findings.
    park : geodata.Park
        For the building footprints and the names.

    Returns
    -------
    list of Finding
        One per building (kind ``five_rooms``, category ``five_rooms``); major for control and cabinet rooms
        ([1]_ item (十三)), general for the other uses. Control and cabinet rooms first.
    """
    long = _long_building_table(check_table)
    if len(long) == 0:
        return []
    bld = park.buildings.set_index(park.buildings["building_id"].astype(str))
    ent_names, unit_names = _names(park)
    out = []
    for bid, grp in long.groupby("building_id", sort=True):
        if bid not in bld.index:
            raise ValueError(
                f"check_table 中的建筑 building_id={bid!r} 不在园区 buildings 图层中 / not in the park"
            )
        b = bld.loc[bid]
        use = str(grp["use"].iloc[0])
        use_zh = schema.label_zh("building_use", use)
        ent = (
            grp["enterprise_id"].iloc[0]
            if "enterprise_id" in grp and not _is_null(grp["enterprise_id"].iloc[0])
            else b["enterprise_id"]
        )
        ent = str(ent)
        name = str(b["name"])
        blast_ok = bool(b["blast_resistant"]) if not _is_null(b.get("blast_resistant")) else False
        loads, ev = [], []
        for _, r in grp.sort_values("load_kind", ascending=False).iterrows():
            kind = str(r["load_kind"])
            src = str(r["source_unit"]).strip()
            uid, _, scen = src.partition(" ")
            src_txt = (
                f"{unit_names.get(uid, uid)}（{uid}）发生{scen or '事故'}" if uid else "周边装置发生事故"
            )
            loads.append(
                f"{src_txt}时{_LOAD_LABEL_ZH[kind]} {_fmt_load(kind, float(r['load']))}，"
                f"超过判据 {_fmt_load(kind, float(r['threshold']))}"
            )
            ev.append(
                Evidence(f"{_LOAD_LABEL_ZH[kind]}（{uid or '周边装置'}）", float(r["load"]), _LOAD_UNIT[kind])
            )
            ev.append(Evidence(f"{_LOAD_LABEL_ZH[kind]}判据", float(r["threshold"]), _LOAD_UNIT[kind]))
        if "distance_m" in grp and not _is_null(grp["distance_m"].iloc[0]):
            ev.append(Evidence("至主要危险源距离", float(grp["distance_m"].iloc[0]), "m"))
        major = use in MAJOR_ROOM_USES
        text = (
            f"{ent_names.get(ent, ent)}{name}（{use_zh}，{bid}）位于爆炸/火灾影响范围内："
            + "；".join(loads)
            + ("" if blast_ok else "，且为非抗爆结构")
        )
        if major:
            text += "，面向火灾、爆炸危险性装置一侧不满足防火防爆要求，判定为重大事故隐患"
        relocate = ("verdict" in grp and (grp["verdict"] == "relocate").any()) or any(
            r["load_kind"] == "heat_flux" for _, r in grp.iterrows()
        )
        measure = (
            f"将{use_zh}搬迁至爆炸、火灾危险区域以外（五室搬迁）"
            if relocate
            else f"按 GB 50779-2012 对{use_zh}进行抗爆改造，或搬迁至爆炸危险区域以外"
        )
        out.append(
            Finding(
                kind="five_rooms",
                subject_ids=(bid,),
                description_zh=text,
                enterprise_id=ent,
                hazard_level="major" if major else "general",
                major_hazard_item=13 if major else None,  # [1], item (十三)
                geometry=_to_wgs84_point(b.geometry, park.buildings.crs),
                evidence=tuple(ev),
                measure_zh=measure,
                basis_zh=(
                    RULE_CONTROL_ROOM_ZH
                    if major
                    else "五室搬迁要求；不属于安监总管三〔2017〕121号所列情形，按一般隐患"
                )
                + "；荷载判据：GB 50779-2012 抗爆设计荷载与 12.5 kW/m² 热辐射",
            )
        )
    out.sort(key=lambda f: (f.hazard_level != "major", f.subject_ids))
    return out


# ---------------------------------------------------------------------------------------------------------------
# De-duplication against the store and display
# ---------------------------------------------------------------------------------------------------------------
def finding_status(findings: Sequence[Finding], links: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Whether each finding is new, already has an open item, or had one that was closed.

    Parameters
    ----------
    findings : sequence of Finding
    links : DataFrame
        ``store.finding_links(user)`` (item_id, finding_key, ...).
    items : DataFrame
        ``store.items_frame(user)`` (item_id, status, ...).

    Returns
    -------
    DataFrame
        One row per finding (input order): ``key``, ``status`` (``new`` | ``linked_open`` | ``linked_closed``),
        ``item_id`` (the linked item or None), ``item_status``, ``status_zh``.
    """
    by_key = (
        dict(zip(links["finding_key"].astype(str), links["item_id"].astype(str), strict=True))
        if len(links)
        else {}
    )
    st_of = (
        dict(zip(items["item_id"].astype(str), items["status"].astype(str), strict=True))
        if len(items)
        else {}
    )
    rows = []
    for f in findings:
        iid = by_key.get(f.key)
        if iid is None:
            rows.append((f.key, "new", None, None, "新发现"))
            continue
        s = st_of.get(iid)
        if s == "closed":
            rows.append(
                (f.key, "linked_closed", iid, s, f"已销号（{iid}），分析仍发现此问题：建议重新打开该事项")
            )
        else:
            label = schema.label_zh("rectification_status", s) if s else "不可见"
            rows.append((f.key, "linked_open", iid, s, f"已生成（{iid}，{label}）"))
    return pd.DataFrame(rows, columns=["key", "status", "item_id", "item_status", "status_zh"])


def pending_findings(findings: Iterable[Finding], links: pd.DataFrame, items: pd.DataFrame) -> list[Finding]:
    """The findings to propose: not linked to any item yet (a finding with an open item is not proposed twice;
    one whose item was closed is reported by :func:`finding_status` for reopening, not proposed again)."""
    fs = list(findings)
    st = finding_status(fs, links, items)
    return [f for f, s in zip(fs, st["status"], strict=True) if s == "new"]


def findings_table(
    findings: Sequence[Finding], *, enterprise_names: dict[str, str] | None = None
) -> pd.DataFrame:
    """The findings as a Chinese table (for the app and the CLI)."""
    names = enterprise_names or {}
    return pd.DataFrame(
        {
            "发现类型": [f.kind for f in findings],
            "涉及要素": ["、".join(f.subject_ids) for f in findings],
            "责任单位": [
                names.get(f.enterprise_id, f.enterprise_id) if f.enterprise_id else "（园区）"
                for f in findings
            ],
            "问题描述": [f.description_zh for f in findings],
            "类别": [schema.label_zh("rectification_category", f.category or _category(f)) for f in findings],
            "隐患等级": [schema.label_zh("hazard_level", f.hazard_level) for f in findings],
            "建议措施": [f.measure_zh for f in findings],
            "判定依据": [f.basis_zh for f in findings],
            "经度": [round(f.geometry.x, 6) if f.geometry.geom_type == "Point" else np.nan for f in findings],
            "纬度": [round(f.geometry.y, 6) if f.geometry.geom_type == "Point" else np.nan for f in findings],
        }
    )


def _category(f: Finding) -> str:
    from analysis.regulation.rectification import FINDING_KINDS

    return FINDING_KINDS[f.kind][1]


# ---------------------------------------------------------------------------------------------------------------
# The pipeline of the page 一园一策 and of ``parkrisk rect findings``: park -> analyses -> findings -> items
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FindingsOptions:
    """How the park's analyses are run and turned into findings (one set of defaults for the page and the CLI).

    Attributes
    ----------
    min_probability : float
        Escalation probability from which a domino edge becomes a finding. [-] 0.01: a pair whose escalation is
        less likely than 1 in 100 given the primary event is left to the spacing codes (GB 50160, GB 50016).
    five_rooms : bool
        Also check the 五室 buildings (:func:`analysis.regulation.siting_checks.five_rooms_check`).
    domino_max_level : int
        Escalation levels of :func:`analysis.domino.analyze`. The findings are its edges (source → target pairs
        with their loads and probabilities), which do not depend on deeper levels: 1.
    domino_samples : int
        Monte Carlo samples of :func:`analysis.domino.analyze`; the edges do not depend on them: 200 keeps the run
        short.
    """

    min_probability: float = 0.01
    five_rooms: bool = True
    domino_max_level: int = 1
    domino_samples: int = 200

    def __post_init__(self) -> None:
        finite_number("min_probability", self.min_probability, low=0.0, high=1.0)
        finite_number("domino_max_level", self.domino_max_level, low=1.0)
        finite_number("domino_samples", self.domino_samples, low=1.0)


@dataclass(frozen=True)
class ParkAnalyses:
    """The results the findings come from: the domino analysis and the 五室 check (None when not run)."""

    domino: Any
    five_rooms: pd.DataFrame | None


def run_park_analyses(
    park: Any, options: FindingsOptions = FindingsOptions(), *, progress: Any = None
) -> ParkAnalyses:
    """Run the domino analysis and (``options.five_rooms``, when the park has buildings) the 五室 check.

    Parameters
    ----------
    park : geodata.Park
    options : FindingsOptions
    progress : callable, optional
        ``progress(fraction, message_zh)``: the domino analysis takes the first 70 % when the 五室 check follows.
    """
    from analysis import domino
    from analysis.regulation.siting_checks import five_rooms_check

    prog = progress or (lambda f, m: None)
    rooms = options.five_rooms and not park.buildings.empty
    share = 0.7 if rooms else 1.0
    res = domino.analyze(
        park,
        max_level=options.domino_max_level,
        n_samples=options.domino_samples,
        progress=lambda f, msg: prog(min(share * f, 1.0), f"多米诺分析：{msg}"),
    )
    table = None
    if rooms:
        table = five_rooms_check(
            park, progress=lambda f, msg: prog(min(share + (1 - share) * f, 1.0), f"五室校核：{msg}")
        )
    return ParkAnalyses(domino=res, five_rooms=table)


def findings_from_analyses(
    analyses: ParkAnalyses, park: Any, options: FindingsOptions = FindingsOptions()
) -> list[Finding]:
    """The findings of :func:`run_park_analyses`: domino pairs (highest probability first), then 五室 buildings, then
    the major-hazard items the data decide (items 6, 7, 8: :func:`analysis.regulation.hazard_items.findings_from_data`)."""
    from analysis.regulation.hazard_items import findings_from_data

    out = findings_from_domino(analyses.domino, park, min_probability=options.min_probability)
    if analyses.five_rooms is not None:
        out += findings_from_buildings(analyses.five_rooms, park)
    return out + findings_from_data(park)


def park_findings(
    park: Any, *, options: FindingsOptions = FindingsOptions(), progress: Any = None
) -> list[Finding]:
    """Run the analyses of ``options`` on the park and return their findings (:func:`run_park_analyses` then
    :func:`findings_from_analyses`)."""
    return findings_from_analyses(run_park_analyses(park, options, progress=progress), park, options)


@dataclass(frozen=True)
class FindingProposals:
    """Findings (duplicates removed, input order), their status against the store and their proposed items.

    Attributes
    ----------
    findings : tuple of Finding
    proposals : tuple of ProposedItem
        One per finding, same order.
    status : DataFrame
        :func:`finding_status` of the findings, same order.
    """

    findings: tuple[Finding, ...]
    proposals: tuple[ProposedItem, ...]
    status: pd.DataFrame

    @property
    def new(self) -> list[ProposedItem]:
        """The proposals whose finding is not linked to any item yet (the ones to create)."""
        return [p for p, s in zip(self.proposals, self.status["status"], strict=True) if s == "new"]


def propose_from_findings(
    findings: Iterable[Finding],
    park: Any,
    *,
    links: pd.DataFrame,
    items: pd.DataFrame,
    today: Any,
    options: ProposalOptions | None = None,
) -> FindingProposals:
    """Findings -> their status against the store (``links``, ``items``) and one proposed item each.

    The items belong to the park's ``park_id`` (``"P"`` for a park without a parks layer row); see
    :func:`analysis.regulation.rectification.propose_items` for the ids and deadlines (``options``, default
    :class:`analysis.regulation.rectification.ProposalOptions`).
    """
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.key, f)
    unique = list(first.values())
    park_id = str(park.parks["park_id"].iloc[0]) if len(park.parks) else "P"
    props = propose_items(unique, park_id=park_id, today=today, options=options or ProposalOptions())
    return FindingProposals(
        findings=tuple(unique), proposals=tuple(props), status=finding_status(unique, links, items)
    )
