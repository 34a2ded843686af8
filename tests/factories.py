"""Row factories shared by the tests: one installation row per kind of test park, built in one place.

Import as ``from factories import ...`` (tests/conftest.py puts this folder on ``sys.path``; the suite runs in
importlib mode).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, Polygon

#: A point in CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547) for single-unit scenario tests. [m]
METRIC = "EPSG:4547"
X0, Y0 = 500_000.0, 3_380_000.0

#: Origin of the small synthetic parks in WGS84 (Nanjing). [°]
LON0, LAT0 = 118.80, 32.10


def installation_row(**changes) -> pd.Series:
    """One installation at (X0, Y0): a 1 000 t gasoline tank of 1 400 m³ in a 1 200 m² bund; ``changes`` replace
    any field (substance, phase, pressure_pa, …)."""
    base = dict(
        unit_id="X1",
        enterprise_id="E1",
        name="测试设施",
        kind="storage_tank",
        equipment_class="atmospheric",
        substance="汽油",
        inventory_kg=1.0e6,
        phase="liquid",
        pressure_pa=101325.0,
        temperature_k=293.15,
        volume_m3=1400.0,
        diameter_m=20.0,
        height_m=15.0,
        bund_area_m2=1200.0,
        hazardous_process=None,
        geometry=Point(X0, Y0),
    )
    base.update(changes)
    return pd.Series(base)


def local_point(dx: float, dy: float) -> Point:
    """Local metres east/north of (LON0, LAT0) -> WGS84 (small offsets; exact metric positions are re-derived in
    the park's metric CRS)."""
    return Point(LON0 + dx / (111_320.0 * math.cos(math.radians(LAT0))), LAT0 + dy / 110_540.0)


def gasoline_tank(uid: str, ent: str, dx: float, **changes) -> dict:
    """A 1 500 t, 2 000 m³ atmospheric gasoline tank ``dx`` metres east of the park origin, in a 3 000 m² bund."""
    row = dict(
        unit_id=uid,
        enterprise_id=ent,
        name=f"汽油罐{uid}",
        kind="storage_tank",
        equipment_class="atmospheric",
        substance="汽油",
        inventory_kg=1.5e6,
        phase="liquid",
        pressure_pa=101325.0,
        temperature_k=293.15,
        volume_m3=2000.0,
        diameter_m=20.0,
        height_m=14.0,
        bund_area_m2=3000.0,
        hazardous_process=None,
        geometry=local_point(dx, 0.0),
    )
    row.update(changes)
    return row


# --------------------------------------------------------------------------- the app tests' small park
#: Origin of the app tests' small park (a fictional spot in central China). [°]
APP_LON0, APP_LAT0 = 114.30, 30.60


def _ll(x_m: float, y_m: float) -> tuple[float, float]:
    """Local east/north offset [m] -> (lon, lat) [°] (spherical approximation, fine for a test park)."""
    r = 6_371_000.0
    return (
        APP_LON0 + math.degrees(x_m / (r * math.cos(math.radians(APP_LAT0)))),
        APP_LAT0 + math.degrees(y_m / r),
    )


def _rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return Polygon([_ll(x0, y0), _ll(x1, y0), _ll(x1, y1), _ll(x0, y1)])


def _gdf(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4326)


def small_park_layers() -> dict[str, gpd.GeoDataFrame]:
    """Seven layers plus roads: 1 park, 4 enterprises (one per risk colour), 6 installations, 2 pipelines,
    5 targets, 4 buildings, 4 rectifications (one overdue), 1 road."""
    parks = _gdf(
        [
            dict(
                park_id="P1",
                name="测试化工园区",
                level="provincial",
                risk_grade="C",
                geometry=_rect(0, 0, 1200, 800),
            )
        ]
    )
    ents = []
    for i, (color, grade) in enumerate([("red", 2), ("orange", 3), ("yellow", None), ("blue", None)]):
        x = 50 + 290 * i
        ents.append(
            dict(
                enterprise_id=f"E{i + 1}",
                park_id="P1",
                name=f"测试企业{i + 1}",
                industry="化工",
                risk_color=color,
                major_hazard_grade=grade,
                employees=100 + 10 * i,
                geometry=_rect(x, 100, x + 250, 700),
            )
        )
    enterprises = _gdf(ents)
    inst = [
        (
            "U1",
            "E1",
            "汽油储罐",
            "storage_tank",
            "atmospheric",
            "汽油",
            2.0e6,
            "liquid",
            101325.0,
            298.15,
            None,
        ),
        (
            "U2",
            "E1",
            "液化石油气球罐",
            "spherical_tank",
            "pressurized",
            "丙烷",
            5.0e5,
            "liquefied_gas",
            1.6e6,
            298.15,
            None,
        ),
        (
            "U3",
            "E2",
            "液氯储罐",
            "bullet_tank",
            "pressurized",
            "氯",
            5.0e4,
            "liquefied_gas",
            8.0e5,
            298.15,
            None,
        ),
        ("U4", "E2", "电解装置", "electrolyser", "small", "氯", 2.0e3, "gas", 2.0e5, 353.15, "electrolysis"),
        (
            "U5",
            "E3",
            "加氢反应器",
            "reactor",
            "pressurized",
            "氢",
            3.0e2,
            "gas",
            1.0e7,
            573.15,
            "hydrogenation",
        ),
        ("U6", "E4", "危化品仓库", "warehouse", "small", "甲醇", 1.0e5, "liquid", 101325.0, 293.15, None),
    ]
    installations = _gdf(
        [
            dict(
                unit_id=u,
                enterprise_id=e,
                name=n,
                kind=k,
                equipment_class=c,
                substance=s,
                inventory_kg=q,
                phase=ph,
                pressure_pa=p,
                temperature_k=t,
                volume_m3=q / 700.0,
                diameter_m=10.0,
                height_m=12.0,
                bund_area_m2=None,
                hazardous_process=hp,
                geometry=Point(_ll(150 + 170 * i, 400 + 40 * (i % 2))),
            )
            for i, (u, e, n, k, c, s, q, ph, p, t, hp) in enumerate(inst)
        ]
    )
    pipelines = _gdf(
        [
            dict(
                pipeline_id="L1",
                name="天然气长输管道",
                substance="甲烷",
                diameter_m=0.508,
                pressure_pa=6.4e6,
                buried=True,
                operator="测试管道公司",
                kind="transmission",
                geometry=LineString([_ll(-300, -100), _ll(1500, -100)]),
            ),
            dict(
                pipeline_id="L2",
                name="园区管廊",
                substance="丙烯",
                diameter_m=0.2,
                pressure_pa=2.0e6,
                buried=False,
                operator="园区管委会",
                kind="process",
                geometry=LineString([_ll(0, 50), _ll(1200, 50)]),
            ),
        ]
    )
    targets = _gdf(
        [
            dict(
                target_id="T1",
                name="测试小学",
                category="school",
                protection_class="high_sensitive",
                population_day=800,
                population_night=0,
                geometry=Point(_ll(-400, 300)),
            ),
            dict(
                target_id="T2",
                name="测试医院",
                category="hospital",
                protection_class="high_sensitive",
                population_day=500,
                population_night=300,
                geometry=Point(_ll(1600, 500)),
            ),
            dict(
                target_id="T3",
                name="测试村",
                category="village",
                protection_class="general_2",
                population_day=200,
                population_night=350,
                geometry=_rect(-600, 900, -300, 1100),
            ),
            dict(
                target_id="T4",
                name="测试养老院",
                category="nursing_home",
                protection_class="important",
                population_day=120,
                population_night=120,
                geometry=Point(_ll(600, 1200)),
            ),
            dict(
                target_id="T5",
                name="测试商场",
                category="market",
                protection_class="general_1",
                population_day=1500,
                population_night=50,
                geometry=Point(_ll(600, -500)),
            ),
        ]
    )
    buildings = _gdf(
        [
            dict(
                building_id="B1",
                enterprise_id="E1",
                name="中心控制室",
                use="control_room",
                occupants=12,
                blast_resistant=False,
                geometry=_rect(80, 600, 120, 640),
            ),
            dict(
                building_id="B2",
                enterprise_id="E2",
                name="办公楼",
                use="office",
                occupants=60,
                blast_resistant=False,
                geometry=_rect(370, 600, 420, 650),
            ),
            dict(
                building_id="B3",
                enterprise_id="E3",
                name="变配电所",
                use="substation",
                occupants=2,
                blast_resistant=False,
                geometry=_rect(660, 600, 700, 640),
            ),
            dict(
                building_id="B4",
                enterprise_id="E4",
                name="成品仓库",
                use="warehouse",
                occupants=4,
                blast_resistant=False,
                geometry=_rect(950, 600, 1010, 650),
            ),
        ]
    )
    rect = []
    for i, (status, deadline, closed) in enumerate(
        [
            ("open", "2020-01-31", None),  # overdue
            ("in_progress", "2099-12-31", None),
            ("awaiting_acceptance", "2099-06-30", None),
            ("closed", "2021-03-31", "2021-03-15"),
        ]
    ):
        rect.append(
            dict(
                item_id=f"R{i + 1}",
                park_id="P1",
                enterprise_id=f"E{i + 1}",
                title=f"测试隐患{i + 1}",
                category="five_rooms" if i == 0 else "fire_protection",
                hazard_level="major" if i == 0 else "general",
                source="inspection",
                found_on=pd.Timestamp("2019-10-01"),
                deadline=pd.Timestamp(deadline),
                responsible="张三",
                status=status,
                closed_on=pd.Timestamp(closed) if closed else pd.NaT,
                geometry=Point(_ll(120 + 290 * i, 250)),
            )
        )
    rectifications = _gdf(rect)
    roads = _gdf(
        [
            dict(
                road_id="RD1",
                name="园区一路",
                kind="park",
                one_way=False,
                geometry=LineString([_ll(-100, 80), _ll(1300, 80)]),
            )
        ]
    )
    return dict(
        parks=parks,
        enterprises=enterprises,
        installations=installations,
        pipelines=pipelines,
        sensitive_targets=targets,
        buildings=buildings,
        rectifications=rectifications,
        roads=roads,
    )
