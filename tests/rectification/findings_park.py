"""A small synthetic park for the findings tests (fast domino and 五室 runs): two enterprises, three gasoline tanks
and an LPG sphere close together, a control room and an office near them, two sensitive targets."""

from __future__ import annotations

import geopandas as gpd
from factories import LAT0, LON0, gasoline_tank
from factories import local_point as pt
from shapely.geometry import box

from geodata import Park


def square(dx: float, dy: float, half: float):
    a, b = pt(dx - half, dy - half), pt(dx + half, dy + half)
    return box(a.x, a.y, b.x, b.y)


def layers() -> dict[str, gpd.GeoDataFrame]:
    crs = "EPSG:4326"
    parks = gpd.GeoDataFrame(
        {"park_id": ["P"], "name": ["测试园区"], "level": ["provincial"], "risk_grade": ["B"]},
        geometry=[box(LON0 - 0.01, LAT0 - 0.01, LON0 + 0.01, LAT0 + 0.01)],
        crs=crs,
    )
    ents = gpd.GeoDataFrame(
        {
            "enterprise_id": ["E1", "E2"],
            "park_id": ["P", "P"],
            "name": ["甲石化公司", "乙气体公司"],
            "industry": ["石油储运", "液化气储配"],
            "risk_color": ["orange", "red"],
            "major_hazard_grade": [3, 2],
            "employees": [120, 40],
        },
        geometry=[square(-250, 0, 240), square(250, 0, 240)],
        crs=crs,
    )
    rows = [
        gasoline_tank("T1", "E1", -80.0),
        gasoline_tank("T2", "E1", -50.0),
        gasoline_tank("T3", "E1", -20.0),
    ]
    rows.append(
        dict(
            unit_id="S1",
            enterprise_id="E2",
            name="液化石油气球罐",
            kind="spherical_tank",
            equipment_class="pressurized",
            substance="液化石油气",
            inventory_kg=5e5,
            phase="liquefied_gas",
            pressure_pa=8e5,
            temperature_k=293.15,
            volume_m3=1000.0,
            diameter_m=12.3,
            height_m=None,
            bund_area_m2=None,
            hazardous_process=None,
            geometry=pt(15.0, 0.0),
        )
    )
    # a small methanol day tank of E2 far away: not a major hazard (GB 18218-2018 table 1: methanol Q = 500 t)
    rows.append(
        gasoline_tank(
            "M1",
            "E2",
            400.0,
            name="甲醇中间罐",
            substance="甲醇",
            inventory_kg=2000.0,
            volume_m3=3.0,
            diameter_m=1.5,
            height_m=2.0,
            bund_area_m2=10.0,
        )
    )
    inst = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    bld = gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2"],
            "enterprise_id": ["E1", "E1"],
            "name": ["罐区控制室", "办公楼"],
            "use": ["control_room", "office"],
            "occupants": [6, 40],
            "blast_resistant": [False, False],
        },
        geometry=[square(-50, 40, 5), square(-400, 200, 10)],
        crs=crs,
    )
    tg = gpd.GeoDataFrame(
        {
            "target_id": ["X1", "X2"],
            "name": ["镇中心小学", "村民居住区"],
            "category": ["school", "residential"],
            "protection_class": ["high_sensitive", "general_1"],
            "population_day": [800, 300],
            "population_night": [0, 280],
        },
        geometry=[square(0, 600, 30), square(-600, -500, 40)],
        crs=crs,
    )
    return {
        "parks": parks,
        "enterprises": ents,
        "installations": inst,
        "buildings": bld,
        "sensitive_targets": tg,
    }


def make_park(*, validate: bool = True) -> Park:
    return Park.from_layers(layers(), validate=validate)
