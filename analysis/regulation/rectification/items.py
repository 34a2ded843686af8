"""Findings of the analyses → proposed rectification items (one ``open`` item per finding, linked to it).

References
----------
.. [2] 国家安全生产监督管理总局. 安全生产事故隐患排查治理暂行规定（第16号令）, 2008.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from analysis._text import per_year_zh
from geodata import schema
from geodata.store.records import to_iso_date

__all__ = ["FINDING_KINDS", "Evidence", "Finding", "ProposalOptions", "ProposedItem", "propose_items"]

_SPEC = schema.LAYERS["rectifications"]


# ---------------------------------------------------------------------------------------------------------------
# Findings of the analyses -> proposed items
# ---------------------------------------------------------------------------------------------------------------
#: kind -> (Chinese name, suggested category). Unknown kinds are refused with this list.
FINDING_KINDS: dict[str, tuple[str, str]] = {
    "five_rooms": ("五室位于爆炸危险区域", "five_rooms"),
    "domino_spacing": ("装置间距在多米诺升级距离内", "layout_spacing"),
    "risk_limit": ("防护目标个人风险超出 GB 36894 限值", "external_distance"),
    "major_hazard": ("重大危险源管控问题", "major_hazard"),
    "siting": ("选址或外部安全防护距离不足", "external_distance"),
    "toxic_pipeline": ("剧毒气体或硫化氢管道穿越园区外公共区域", "layout_spacing"),
    "equipment": ("设备设施不符合重大隐患判定标准", "equipment"),
}


@dataclass(frozen=True)
class Evidence:
    """One number behind a finding (a load, a distance, a risk), in SI units.

    Attributes
    ----------
    label_zh : str
        What the number is, in Chinese (e.g. ``"冲击波超压"``).
    value : float
        The value in ``unit``.
    unit : str
        SI unit (``Pa``, ``W/m²``, ``m``, ``1/a``, ``-``).
    """

    label_zh: str
    value: float
    unit: str

    def text_zh(self) -> str:
        """``label value unit`` with a readable number (kPa and kW/m² shown beside Pa and W/m²)."""
        v = float(self.value)
        if self.unit == "Pa":
            return f"{self.label_zh} {v / 1e3:.1f} kPa（{v:,.0f} Pa）"  # 1 kPa = 1e3 Pa
        if self.unit == "W/m²":
            return f"{self.label_zh} {v / 1e3:.1f} kW/m²"  # 1 kW/m² = 1e3 W/m²
        if self.unit == "1/a":
            return f"{self.label_zh} {per_year_zh(v, 3)}"
        if self.unit == "m":
            return f"{self.label_zh} {v:,.1f} m"
        if self.unit in ("-", ""):
            return f"{self.label_zh} {v:.3g}"
        return f"{self.label_zh} {v:.4g} {self.unit}"


@dataclass(frozen=True)
class Finding:
    """A problem found by an analysis, to be turned into a rectification item.

    Attributes
    ----------
    kind : str
        One of :data:`FINDING_KINDS` (``five_rooms``, ``domino_spacing``, ``risk_limit``, ...).
    subject_ids : tuple of str
        Ids of the features concerned (building_id, unit_id, target_id ...); with ``kind`` they identify the
        finding, so proposing it twice gives the same item id.
    description_zh : str
        What is wrong, in Chinese (becomes the item title).
    enterprise_id : str or None
        The responsible enterprise (None for a park-level item).
    hazard_level : str
        ``general`` or ``major``.
    geometry : shapely geometry
        Where (WGS84 lon/lat); a polygon is kept, other types are reduced to a representative point.
    category : str, optional
        Overrides the kind's suggested category.
    evidence : tuple of Evidence
        The numbers behind the finding (loads, distances, risks) with units.
    measure_zh : str
        Suggested measure, in Chinese.
    basis_zh : str
        Rule or criterion applied (standard and clause), in Chinese.
    major_hazard_item : int or None
        The item (1–20) of 重大生产安全事故隐患判定标准（试行）(安监总管三〔2017〕121号) the finding meets; a finding
        citing one is a major hazard (``hazard_level`` must then be ``major``).
    """

    kind: str
    subject_ids: tuple[str, ...]
    description_zh: str
    enterprise_id: str | None
    hazard_level: str
    geometry: BaseGeometry
    category: str | None = None
    evidence: tuple[Evidence, ...] = ()
    measure_zh: str = ""
    basis_zh: str = ""
    major_hazard_item: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FINDING_KINDS:
            raise ValueError(
                f"kind={self.kind!r} 不是已知的分析发现类型 / unknown; 可选 / allowed: {list(FINDING_KINDS)}"
            )
        if self.hazard_level not in schema.ENUMS["hazard_level"]:
            raise ValueError(
                f"hazard_level={self.hazard_level!r}; 可选 / allowed: {list(schema.ENUMS['hazard_level'])}"
            )
        if self.category is not None and self.category not in schema.ENUMS["rectification_category"]:
            raise ValueError(
                f"category={self.category!r}; 可选 / allowed: {list(schema.ENUMS['rectification_category'])}"
            )
        if self.major_hazard_item is not None and (
            isinstance(self.major_hazard_item, bool)
            or not isinstance(self.major_hazard_item, int)
            or not 1 <= self.major_hazard_item <= 20
        ):
            raise ValueError(
                f"major_hazard_item={self.major_hazard_item!r} 不是重大隐患判定标准的条号：请填 1～20 的整数或 None"
                " / must be an item number 1-20 or None"
            )
        if self.major_hazard_item is not None and self.hazard_level != "major":
            raise ValueError(
                f"引用重大隐患判定标准第 {self.major_hazard_item} 条的发现必须是重大隐患：hazard_level 请填 major"
                f"（现为 {self.hazard_level!r}） / a finding citing an item must be major"
            )
        if not self.subject_ids:
            raise ValueError(
                "subject_ids 不能为空：请给出涉及的要素编号 / subject_ids must name the features"
            )
        if not isinstance(self.geometry, BaseGeometry) or self.geometry.is_empty:
            raise ValueError(f"geometry={self.geometry!r} 必须是非空几何 / must be a non-empty geometry")

    @property
    def key(self) -> str:
        """Stable identity: ``kind:sorted subject ids``."""
        return f"{self.kind}:{'|'.join(sorted(map(str, self.subject_ids)))}"

    @property
    def detail_zh(self) -> str:
        """Description, evidence, suggested measure and basis in one Chinese text (kept with the item link)."""
        parts = [self.description_zh]
        if self.evidence:
            parts.append("分析数据：" + "；".join(e.text_zh() for e in self.evidence))
        if self.measure_zh:
            parts.append("建议措施：" + self.measure_zh)
        if self.basis_zh:
            parts.append("判定依据：" + self.basis_zh)
        return "。".join(p.rstrip("。") for p in parts) + "。"


@dataclass(frozen=True)
class ProposalOptions:
    """How findings become items. The deadlines are this project's defaults (a general hazard within a month, a
    major one within a quarter), not a regulatory limit: the park sets the real ones ([2]_ 第十五条)."""

    general_days: int = 30
    major_days: int = 90
    responsible: str = "企业主要负责人"
    park_responsible: str = "园区安全监管部门"


@dataclass(frozen=True)
class ProposedItem:
    """A proposed item (``record``, ready for :meth:`geodata.store.RectificationStore.create_from_findings`) and its
    link to the finding (``link``)."""

    record: dict[str, Any]
    link: dict[str, Any]
    finding: Finding = field(compare=False)


def propose_items(
    findings: Iterable[Finding],
    *,
    park_id: str,
    today: dt.date | str,
    options: ProposalOptions = ProposalOptions(),
) -> list[ProposedItem]:
    """One proposed ``open`` item per finding, source ``analysis``, linked to it.

    The item id is ``<park_id>-AN-<8 hex of the finding key>``: the same finding always proposes the same id, so
    the store refuses to create it twice. Duplicate findings in the input are proposed once.
    """
    found_on = to_iso_date(today)
    out: list[ProposedItem] = []
    seen: set[str] = set()
    for f in findings:
        if f.key in seen:
            continue
        seen.add(f.key)
        days = options.major_days if f.hazard_level == "major" else options.general_days
        geom = f.geometry
        if geom.geom_type not in _SPEC.geometry_types:
            geom = geom.representative_point()
        digest = hashlib.sha1(f.key.encode("utf-8")).hexdigest()[:8].upper()
        record = {
            "item_id": f"{park_id}-AN-{digest}",
            "park_id": park_id,
            "enterprise_id": f.enterprise_id,
            "title": f.description_zh,
            "category": f.category or FINDING_KINDS[f.kind][1],
            "hazard_level": f.hazard_level,
            "source": "analysis",
            "found_on": found_on,
            "deadline": (pd.Timestamp(found_on) + pd.Timedelta(days=days)).date().isoformat(),
            "responsible": options.responsible if f.enterprise_id else options.park_responsible,
            "status": "open",
            "closed_on": None,
            "major_hazard_item": f.major_hazard_item,
            "geometry": geom,
        }
        link = {
            "finding_key": f.key,
            "kind": f.kind,
            "subject_ids": list(map(str, f.subject_ids)),
            "description_zh": f.detail_zh,
        }
        out.append(ProposedItem(record, link, f))
    return out
