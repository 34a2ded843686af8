"""The layer contract: names, columns, dtypes, units and enumerations of every park layer.

This module is the single definition of the park data model described in ARCHITECTURE.md. Validation, I/O, the
demo-park builder, the models and the app all read it; nothing else defines a column.

Conventions
-----------
- Units are SI. Where a unit is not obvious the column name carries it (``inventory_kg``, ``pressure_pa``).
- Enumerations are stored as the English keys below; :data:`ENUM_LABELS_ZH` gives the Chinese text the app shows.
- ``dtype`` is one of ``"str"``, ``"int"``, ``"float"``, ``"bool"``, ``"date"`` (a calendar date; held in memory as
  pandas ``datetime64`` normalised to midnight, ``NaT`` when empty).
- ``plausible`` is the range a correct SI value falls in. A value outside it is reported as implausible with the
  likely cause (e.g. a pressure of 2.5 in a Pa column was probably entered in MPa).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Column",
    "LayerSpec",
    "LAYERS",
    "LAYER_ORDER",
    "OPTIONAL_LAYERS",
    "ENUMS",
    "ENUM_LABELS_ZH",
    "label_zh",
    "layer_table_markdown",
    "shapefile_names",
]


@dataclass(frozen=True)
class Column:
    """One attribute column of a layer."""

    name: str
    dtype: str
    label_zh: str
    required: bool = True
    nullable: bool = False
    unit: str | None = None
    enum: str | None = None  # key into ENUMS
    plausible: tuple[float, float] | None = None  # inclusive SI range for numbers
    hint_zh: str = ""  # how to fix an implausible value, in Chinese


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its geometry, id column, columns and references to other layers."""

    name: str
    label_zh: str
    geometry_types: tuple[str, ...]
    id_column: str
    columns: tuple[Column, ...]
    # column -> (layer, id column) that it must refer to when not null
    references: dict[str, tuple[str, str]] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(
            f"layer {self.name!r} has no column {name!r}; columns: {[c.name for c in self.columns]}"
        )

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


# --------------------------------------------------------------------------------------------------------------
# Enumerations (English key -> Chinese label). Order is the display order.
# --------------------------------------------------------------------------------------------------------------
ENUM_LABELS_ZH: dict[str, dict[str, str]] = {
    "park_level": {"national": "国家级", "provincial": "省级", "municipal": "市级"},
    # Park safety-risk grade, 化工园区安全风险排查治理导则 (2023): A high ... D low.
    "park_risk_grade": {
        "A": "A类（高安全风险）",
        "B": "B类（较高安全风险）",
        "C": "C类（一般安全风险）",
        "D": "D类（较低安全风险）",
    },
    # Enterprise safety-risk colour (红/橙/黄/蓝).
    "risk_color": {
        "red": "红色（重大风险）",
        "orange": "橙色（较大风险）",
        "yellow": "黄色（一般风险）",
        "blue": "蓝色（低风险）",
    },
    "installation_kind": {
        "storage_tank": "储罐",
        "spherical_tank": "球罐",
        "bullet_tank": "卧式储罐",
        "process_unit": "工艺装置",
        "reactor": "反应器",
        "column": "塔器",
        "warehouse": "仓库",
        "cylinder_store": "气瓶库",
        "loading_bay": "装卸站台",
        "pump_station": "泵房",
        "compressor": "压缩机房",
        "electrolyser": "电解槽",
    },
    # Target equipment classes of the domino literature (Cozzani et al. 2005).
    "equipment_class": {
        "atmospheric": "常压设备",
        "pressurized": "压力设备",
        "elongated": "细长设备",
        "small": "小型设备",
    },
    "phase": {"liquid": "液体", "gas": "气体", "liquefied_gas": "液化气体", "solid": "固体"},
    # 重点监管危险化工工艺 (安监总管三〔2009〕116号, 〔2013〕3号): the 18 key supervised processes.
    "hazardous_process": {
        "phosgenation": "光气及光气化工艺",
        "electrolysis": "电解工艺（氯碱）",
        "chlorination": "氯化工艺",
        "nitration": "硝化工艺",
        "ammonia_synthesis": "合成氨工艺",
        "cracking": "裂解（裂化）工艺",
        "fluorination": "氟化工艺",
        "hydrogenation": "加氢工艺",
        "diazotization": "重氮化工艺",
        "oxidation": "氧化工艺",
        "peroxidation": "过氧化工艺",
        "amination": "胺基化工艺",
        "sulfonation": "磺化工艺",
        "polymerization": "聚合工艺",
        "alkylation": "烷基化工艺",
        "coal_chemical": "新型煤化工工艺",
        "calcium_carbide": "电石生产工艺",
        "azo": "偶氮化工艺",
    },
    "pipeline_kind": {
        "transmission": "长输管道",
        "process": "工业管道（管廊）",
        "distribution": "城镇燃气管道",
    },
    "target_category": {
        "school": "学校",
        "kindergarten": "幼儿园",
        "hospital": "医院",
        "nursing_home": "养老院",
        "residential": "居民区",
        "village": "村庄",
        "office": "办公场所",
        "market": "商场/集贸市场",
        "hotel": "宾馆",
        "stadium": "体育场馆",
        "government": "党政机关",
        "transport_hub": "交通枢纽",
        "religious": "宗教场所",
        "cultural": "文物保护单位",
        "industrial": "其他工业企业",
    },
    # GB 36894-2018, 表1: protection classes of targets.
    "protection_class": {
        "high_sensitive": "高敏感防护目标",
        "important": "重要防护目标",
        "general_1": "一般防护目标（一类）",
        "general_2": "一般防护目标（二类）",
        "general_3": "一般防护目标（三类）",
    },
    # Fire-hazard classes of production and storage (GB 50016-2014 tables 3.1.1 and 3.1.3; GB 50160-2008 §3).
    "fire_hazard_class": {"甲": "甲类", "乙": "乙类", "丙": "丙类", "丁": "丁类", "戊": "戊类"},
    "building_use": {
        "control_room": "控制室",
        "cabinet_room": "机柜间",
        "lab": "化验室",
        "office": "办公室",
        "shift_room": "交接班室/休息室",
        "substation": "变配电所",
        "warehouse": "仓库",
        "workshop": "车间",
        "canteen": "食堂",
        "fire_station": "消防站",
        "guard_house": "门卫",
        "other": "其他",
    },
    "rectification_category": {
        "layout_spacing": "总图布置与防火间距",
        "five_rooms": "五室搬迁",
        "external_distance": "外部安全防护距离",
        "process_safety": "工艺安全",
        "equipment": "设备设施",
        "instrumentation": "仪表与自动化控制",
        "fire_protection": "消防设施",
        "major_hazard": "重大危险源管控",
        "emergency": "应急管理",
        "electrical": "电气安全",
        "management": "安全管理制度",
        "other": "其他",
    },
    "hazard_level": {"general": "一般隐患", "major": "重大隐患"},
    # Optional equipment facts (是/否) of the installations layer.
    "yes_no": {"yes": "是", "no": "否"},
    "rectification_source": {
        "inspection": "监督检查",
        "expert_review": "专家诊断",
        "self_check": "企业自查",
        "analysis": "风险分析发现",
        "audit": "园区整治提升评估",
        "report": "举报",
    },
    "rectification_status": {
        "open": "待整改",
        "in_progress": "整改中",
        "awaiting_acceptance": "待验收",
        "closed": "已销号",
    },
    "road_kind": {"park": "园区道路", "public": "公共道路", "highway": "高速/国省道"},
}

ENUMS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in ENUM_LABELS_ZH.items()}

_PA_HINT = "压力单位应为 Pa（绝对压力），如 1.6 MPa 应填 1600000"
_K_HINT = "温度单位应为 K，如 20 ℃ 应填 293.15"

LAYERS: dict[str, LayerSpec] = {
    "parks": LayerSpec(
        name="parks",
        label_zh="化工园区",
        geometry_types=("Polygon", "MultiPolygon"),
        id_column="park_id",
        columns=(
            Column("park_id", "str", "园区编号"),
            Column("name", "str", "园区名称"),
            Column("level", "str", "园区级别", enum="park_level"),
            Column("risk_grade", "str", "园区安全风险等级", enum="park_risk_grade"),
        ),
    ),
    "enterprises": LayerSpec(
        name="enterprises",
        label_zh="企业",
        geometry_types=("Polygon", "MultiPolygon"),
        id_column="enterprise_id",
        columns=(
            Column("enterprise_id", "str", "企业编号"),
            Column("park_id", "str", "所属园区"),
            Column("name", "str", "企业名称"),
            Column("industry", "str", "行业"),
            Column("risk_color", "str", "安全风险等级（颜色）", enum="risk_color"),
            Column("major_hazard_grade", "int", "重大危险源等级", nullable=True, plausible=(1, 4)),
            Column("employees", "int", "从业人数", unit="人", plausible=(0, 100_000)),
        ),
        references={"park_id": ("parks", "park_id")},
    ),
    "installations": LayerSpec(
        name="installations",
        label_zh="装置设施",
        geometry_types=("Point", "Polygon", "MultiPolygon"),
        id_column="unit_id",
        columns=(
            Column("unit_id", "str", "设施编号"),
            Column("enterprise_id", "str", "所属企业"),
            Column("name", "str", "设施名称"),
            Column("kind", "str", "设施类型", enum="installation_kind"),
            Column("equipment_class", "str", "设备类别", enum="equipment_class"),
            Column("substance", "str", "物质（名称或CAS号）"),
            Column(
                "inventory_kg",
                "float",
                "存量",
                unit="kg",
                plausible=(1e-3, 1e9),
                hint_zh="存量单位应为 kg，如 500 t 应填 500000",
            ),
            Column("phase", "str", "相态", enum="phase"),
            Column("pressure_pa", "float", "压力（绝压）", unit="Pa", plausible=(1e4, 1e8), hint_zh=_PA_HINT),
            Column("temperature_k", "float", "温度", unit="K", plausible=(50.0, 1500.0), hint_zh=_K_HINT),
            Column("volume_m3", "float", "容积", unit="m³", nullable=True, plausible=(1e-3, 5e5)),
            Column(
                "diameter_m",
                "float",
                "直径",
                unit="m",
                nullable=True,
                plausible=(0.05, 150.0),
                hint_zh="直径单位应为 m，如 3000 mm 应填 3.0",
            ),
            Column(
                "height_m",
                "float",
                "高度",
                unit="m",
                nullable=True,
                plausible=(0.1, 200.0),
                hint_zh="高度单位应为 m",
            ),
            Column("bund_area_m2", "float", "围堰面积", unit="m²", nullable=True, plausible=(1.0, 1e6)),
            Column(
                "hazardous_process", "str", "重点监管危险化工工艺", nullable=True, enum="hazardous_process"
            ),
            Column(
                "fire_hazard_class",
                "str",
                "火灾危险性类别（GB 50160 / GB 50016）",
                required=False,
                nullable=True,
                enum="fire_hazard_class",
                hint_zh="填 甲、乙、丙、丁 或 戊（生产或储存的火灾危险性分类），不清楚留空",
            ),
            Column(
                "water_injection",
                "str",
                "注水措施（全压力式液化烃储罐）",
                required=False,
                nullable=True,
                enum="yes_no",
                hint_zh="全压力式液化烃储罐填 yes（有）或 no（无），其他设施留空",
            ),
            Column(
                "loading_arm",
                "str",
                "万向管道充装系统（液化烃、液氨、液氯装卸）",
                required=False,
                nullable=True,
                enum="yes_no",
                hint_zh="液化烃、液氨、液氯装卸设施填 yes（有）或 no（无），其他设施留空",
            ),
        ),
        references={"enterprise_id": ("enterprises", "enterprise_id")},
    ),
    "pipelines": LayerSpec(
        name="pipelines",
        label_zh="管道",
        geometry_types=("LineString", "MultiLineString"),
        id_column="pipeline_id",
        columns=(
            Column("pipeline_id", "str", "管道编号"),
            Column("name", "str", "管道名称"),
            Column("substance", "str", "输送介质"),
            Column(
                "diameter_m",
                "float",
                "外径",
                unit="m",
                plausible=(0.01, 3.0),
                hint_zh="管径单位应为 m，如 DN400 应填 0.406",
            ),
            Column(
                "pressure_pa",
                "float",
                "最大允许操作压力（绝压）",
                unit="Pa",
                plausible=(1e4, 3e7),
                hint_zh=_PA_HINT,
            ),
            Column("buried", "bool", "是否埋地"),
            Column("operator", "str", "运营单位"),
            Column("kind", "str", "管道类别", required=False, nullable=True, enum="pipeline_kind"),
            Column(
                "temperature_k",
                "float",
                "介质温度",
                unit="K",
                required=False,
                nullable=True,
                plausible=(50.0, 1000.0),
                hint_zh=_K_HINT,
            ),
        ),
    ),
    "sensitive_targets": LayerSpec(
        name="sensitive_targets",
        label_zh="防护目标",
        geometry_types=("Point", "Polygon", "MultiPolygon"),
        id_column="target_id",
        columns=(
            Column("target_id", "str", "目标编号"),
            Column("name", "str", "目标名称"),
            Column("category", "str", "类别", enum="target_category"),
            Column("protection_class", "str", "防护目标类别（GB 36894）", enum="protection_class"),
            Column("population_day", "int", "白天人数", unit="人", plausible=(0, 1_000_000)),
            Column("population_night", "int", "夜间人数", unit="人", plausible=(0, 1_000_000)),
        ),
    ),
    "buildings": LayerSpec(
        name="buildings",
        label_zh="建筑物",
        geometry_types=("Polygon", "MultiPolygon"),
        id_column="building_id",
        columns=(
            Column("building_id", "str", "建筑编号"),
            Column("enterprise_id", "str", "所属企业"),
            Column("name", "str", "建筑名称"),
            Column("use", "str", "用途", enum="building_use"),
            Column("occupants", "int", "人数", unit="人", plausible=(0, 10_000)),
            Column("blast_resistant", "bool", "是否抗爆"),
        ),
        references={"enterprise_id": ("enterprises", "enterprise_id")},
    ),
    "rectifications": LayerSpec(
        name="rectifications",
        label_zh="整改事项（一园一策）",
        geometry_types=("Point", "Polygon", "MultiPolygon"),
        id_column="item_id",
        columns=(
            Column("item_id", "str", "事项编号"),
            Column("park_id", "str", "所属园区"),
            Column("enterprise_id", "str", "责任企业", nullable=True),
            Column("title", "str", "隐患/问题描述"),
            Column("category", "str", "类别", enum="rectification_category"),
            Column("hazard_level", "str", "隐患等级", enum="hazard_level"),
            Column("source", "str", "来源", enum="rectification_source"),
            Column("found_on", "date", "发现日期"),
            Column("deadline", "date", "整改期限"),
            Column("responsible", "str", "责任人"),
            Column("status", "str", "状态", enum="rectification_status"),
            Column("closed_on", "date", "销号日期", nullable=True),
            Column(
                "major_hazard_item",
                "int",
                "重大隐患判定条目",
                required=False,
                nullable=True,
                plausible=(1, 20),
                hint_zh="填写《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第 1～20 条的条号，"
                "一般隐患留空",
            ),
            # the contents of a 重大事故隐患治理方案 (《安全生产事故隐患排查治理暂行规定》第十五条): methods and
            # measures, funds and materials, safety measures and emergency plan (责任人 and 整改期限 are above)
            Column("measures", "str", "整改措施", required=False, nullable=True),
            Column(
                "funds_cny",
                "float",
                "整改资金",
                required=False,
                nullable=True,
                unit="元",
                plausible=(0.0, 1e11),
                hint_zh="填写落实的整改资金，单位为元（如 50 万元填 500000），不能为负",
            ),
            Column("contingency_plan", "str", "安全措施和应急预案", required=False, nullable=True),
        ),
        references={"park_id": ("parks", "park_id"), "enterprise_id": ("enterprises", "enterprise_id")},
    ),
    "roads": LayerSpec(
        name="roads",
        label_zh="道路",
        geometry_types=("LineString", "MultiLineString"),
        id_column="road_id",
        columns=(
            Column("road_id", "str", "道路编号"),
            Column("name", "str", "道路名称"),
            Column("kind", "str", "道路类型", enum="road_kind"),
            Column("one_way", "bool", "是否单行"),
        ),
    ),
    "assembly_points": LayerSpec(
        name="assembly_points",
        label_zh="应急集合点",
        geometry_types=("Point",),
        id_column="point_id",
        columns=(
            Column("point_id", "str", "集合点编号"),
            Column("name", "str", "集合点名称"),
            Column("capacity", "int", "容纳人数", unit="人", nullable=True, plausible=(1, 100_000)),
        ),
    ),
    # Residential areas (villages, housing estates) with their people, where no sensitive-target record covers them:
    # counted in societal risk (analysis.qra.receptors); people already in a target or building are not listed here.
    "population_areas": LayerSpec(
        name="population_areas",
        label_zh="居住区人口",
        geometry_types=("Polygon", "MultiPolygon"),
        id_column="area_id",
        columns=(
            Column("area_id", "str", "区域编号"),
            Column("name", "str", "区域名称"),
            Column("population_day", "int", "白天人数", unit="人", plausible=(0, 1_000_000)),
            Column("population_night", "int", "夜间人数", unit="人", plausible=(0, 1_000_000)),
        ),
    ),
}

#: The seven layers every park has, in drawing/validation order.
LAYER_ORDER: tuple[str, ...] = (
    "parks",
    "enterprises",
    "installations",
    "pipelines",
    "sensitive_targets",
    "buildings",
    "rectifications",
)
#: Layers a park may have.
OPTIONAL_LAYERS: tuple[str, ...] = ("roads", "assembly_points", "population_areas")


#: Shapefile (DBF) field names of the columns whose first 10 characters are not unique in their layer.
_SHAPEFILE_NAMES: dict[str, str] = {"population_day": "pop_day", "population_night": "pop_night"}


def shapefile_names(layer: str) -> dict[str, str]:
    """Schema column -> its DBF field name (at most 10 characters, unique in the layer) in a Shapefile.

    A DBF field name has at most 10 characters. Most columns keep their first 10 (``enterprise_id`` ->
    ``enterprise``); the pairs that would collide get a name of their own (``population_day`` -> ``pop_day``,
    ``population_night`` -> ``pop_night``). :func:`geodata.io.save_shapefiles` writes these names and
    :func:`geodata.io.read_layers` maps them back.
    """
    names = {c: _SHAPEFILE_NAMES.get(c, c[:10]) for c in LAYERS[layer].column_names}
    if len(set(names.values())) != len(names):  # pragma: no cover - guarded by tests/geodata
        raise AssertionError(f"layer {layer!r}: Shapefile names collide: {names}")
    return names


def label_zh(enum: str, key: str | None) -> str:
    """Chinese label of an enumeration value; the key itself when unknown, an empty string for null."""
    if key is None or (isinstance(key, float) and key != key):
        return ""
    return ENUM_LABELS_ZH.get(enum, {}).get(str(key), str(key))


def layer_table_markdown() -> str:
    """The layer contract as Markdown tables (Chinese), as shown in README.md."""
    lines: list[str] = []
    for name in LAYER_ORDER + OPTIONAL_LAYERS:
        spec = LAYERS[name]
        opt = "（可选）" if name in OPTIONAL_LAYERS else ""
        lines.append(f"#### `{name}` — {spec.label_zh}{opt}（{' / '.join(spec.geometry_types)}）")
        lines.append("")
        lines.append("| 字段 | 含义 | 类型 | 单位 | 取值 |")
        lines.append("|---|---|---|---|---|")
        for c in spec.columns:
            req = "" if c.required else "（可缺省）"
            null = "，可空" if c.nullable else ""
            vals = ", ".join(ENUMS[c.enum]) if c.enum else ""
            lines.append(f"| `{c.name}`{req} | {c.label_zh}{null} | {c.dtype} | {c.unit or ''} | {vals} |")
        lines.append("")
    return "\n".join(lines)
