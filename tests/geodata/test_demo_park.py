"""The bundled fictional demo park: contents, schema conformance, physical plausibility and a stable rebuild."""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geodata import load_park, schema, validate_park
from geodata.samples import build_demo_park
from geodata.samples import demo_park_source as src

REFERENCE_DATE = pd.Timestamp("2026-11-23")

# dtype kind each schema dtype must load as (the Park's contract, geodata/_dtypes.py)
_DTYPE_CHECK = {
    "str": lambda s: pd.api.types.is_string_dtype(s.dtype),
    "int": lambda s: str(s.dtype) == "Int64",
    "float": lambda s: pd.api.types.is_float_dtype(s.dtype),
    "bool": lambda s: pd.api.types.is_bool_dtype(s.dtype),
    "date": lambda s: pd.api.types.is_datetime64_any_dtype(s.dtype),
}


@pytest.fixture(scope="module")
def metric(demo_park):
    """Every layer of the demo park in its metric CRS."""
    return {name: demo_park.metric(name) for name in demo_park.layers}


# --------------------------------------------------------------------------------------------------------------
# Schema conformance
# --------------------------------------------------------------------------------------------------------------
def test_file_is_small(demo_park_path):
    assert demo_park_path.stat().st_size < 5 * 1024 * 1024


def test_validate_park_reports_no_problems(demo_park):
    substances = pytest.importorskip("analysis.physics.substances")
    report = validate_park(demo_park, known_substance=substances.known)
    assert report.ok, report.to_text_zh()
    assert not report.errors and not report.warnings, report.to_text_zh()


def test_all_layers_present_with_exactly_the_schema_columns(demo_park):
    layers = demo_park.layers
    assert set(layers) == set(schema.LAYER_ORDER) | {"roads", "assembly_points"}
    for name, gdf in layers.items():
        spec = schema.LAYERS[name]
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        assert cols == list(spec.column_names), name
        for col in spec.columns:
            assert _DTYPE_CHECK[col.dtype](gdf[col.name]), (name, col.name, gdf[col.name].dtype)
        assert set(gdf.geom_type) <= set(spec.geometry_types), name
        assert gdf.crs.to_epsg() == 4326


def test_ids_unique_and_enumerations_known(demo_park):
    for name, gdf in demo_park.layers.items():
        spec = schema.LAYERS[name]
        assert gdf[spec.id_column].is_unique, name
        for col in spec.columns:
            if col.enum:
                values = set(gdf[col.name].dropna())
                assert values <= set(schema.ENUMS[col.enum]), (
                    name,
                    col.name,
                    values - set(schema.ENUMS[col.enum]),
                )


def test_references_resolve(demo_park):
    layers = demo_park.layers
    for name, gdf in layers.items():
        for col, (ref_layer, ref_col) in schema.LAYERS[name].references.items():
            known = set(layers[ref_layer][ref_col])
            assert set(gdf[col].dropna()) <= known, (name, col)


def test_every_substance_is_known_to_the_substance_database(demo_park):
    substances = pytest.importorskip("analysis.physics.substances")
    names = set(demo_park.installations["substance"]) | set(demo_park.pipelines["substance"])
    assert [n for n in sorted(names) if not substances.known(n)] == []


def test_units_inside_their_enterprise_and_no_overlaps(metric):
    ent = metric["enterprises"].set_index("enterprise_id").geometry
    inst, bld = metric["installations"], metric["buildings"]
    for layer in (inst, bld):
        inside = [
            ent[e].buffer(0.01).contains(g)
            for e, g in zip(layer["enterprise_id"], layer.geometry, strict=True)
        ]
        assert all(inside)
    feats = gpd.GeoSeries(list(inst.geometry) + list(bld.geometry), crs=inst.crs)
    left, right = feats.sindex.query(feats, predicate="intersects")
    assert [(i, j) for i, j in zip(left, right, strict=True) if i < j] == []


# --------------------------------------------------------------------------------------------------------------
# Contents the demo park must have (counts and mixes of the foundation issue)
# --------------------------------------------------------------------------------------------------------------
def test_park_and_enterprises(demo_park):
    park = demo_park.parks.iloc[0]
    assert "虚构" in park["name"]
    assert park["level"] == "provincial" and park["risk_grade"] in {"B", "C"}
    ent = demo_park.enterprises
    assert len(ent) >= 10
    assert set(ent["risk_color"]) == {"red", "orange", "yellow", "blue"}
    assert ent["employees"].between(20, 5000).all()
    # enterprises with a graded major hazard are exactly those that store GB 18218 quantities here
    assert ent["major_hazard_grade"].notna().sum() >= 6


def test_park_extent_is_about_3_by_2_5_km(metric):
    xmin, ymin, xmax, ymax = metric["parks"].total_bounds
    assert 2800 < xmax - xmin < 3300
    assert 2300 < ymax - ymin < 2800


def test_installation_mix(demo_park):
    inst = demo_park.installations
    assert len(inst) >= 60
    for substance in (
        "液氯",
        "液氨",
        "甲醇",
        "汽油",
        "柴油",
        "原油",
        "液化石油气",
        "苯",
        "甲苯",
        "氢气",
        "环氧乙烷",
        "丙烯",
        "硫化氢",
        "氯化氢",
        "天然气",
        "硝酸",
        "硝基苯",
    ):
        assert (inst["substance"] == substance).any(), substance
    for process in (
        "electrolysis",
        "ammonia_synthesis",
        "nitration",
        "hydrogenation",
        "oxidation",
        "chlorination",
    ):
        assert (inst["hazardous_process"] == process).any(), process
    assert {
        "storage_tank",
        "spherical_tank",
        "bullet_tank",
        "warehouse",
        "loading_bay",
        "reactor",
        "electrolyser",
        "cylinder_store",
    } <= set(inst["kind"])
    assert set(inst["equipment_class"]) == set(schema.ENUMS["equipment_class"])


def test_t3_is_a_liquid_chlorine_tank(demo_park):
    t3 = demo_park.installations.set_index("unit_id").loc["T-3"]
    assert t3["substance"] == "液氯"
    assert t3["phase"] == "liquefied_gas" and t3["equipment_class"] == "pressurized"
    assert 0.6e6 <= t3["pressure_pa"] <= 0.8e6  # absolute, above chlorine's 0.67 MPa vapour pressure at 20 °C
    assert t3["inventory_kg"] > 10_000
    assert t3["bund_area_m2"] > 0


def test_atmospheric_tanks_are_at_atmospheric_pressure_in_bunds(demo_park):
    inst = demo_park.installations
    tanks = inst[inst["kind"] == "storage_tank"]
    assert len(tanks) >= 20
    assert (tanks["pressure_pa"] == 101_325.0).all()
    assert tanks["bund_area_m2"].notna().all()
    assert (tanks[["diameter_m", "height_m", "volume_m3"]].notna()).all().all()


def test_inventory_matches_volume_density_and_fill(demo_park):
    """inventory / (volume * liquid density at the storage temperature) is a fill fraction of 0.75-0.92.

    Pure substances: density from the substance database (chemicals/thermo). Mixtures (crude, gasoline, diesel,
    LPG) are represented there by a single surrogate component with a lower density, so for them the source's own
    product density is used and checked against its published range in the next test.
    """
    substances = pytest.importorskip("analysis.physics.substances")
    inst = demo_park.installations
    vessels = inst[
        inst["kind"].isin(["storage_tank", "spherical_tank", "bullet_tank"]) & (inst["phase"] != "gas")
    ]
    assert len(vessels) >= 45
    for row in vessels.itertuples():
        sub = substances.get(row.substance)
        rho = (
            src.DENSITY[row.substance] if sub.is_mixture else float(sub.liquid_density_at(row.temperature_k))
        )
        fill = row.inventory_kg / (row.volume_m3 * rho)
        assert 0.75 <= fill <= 0.92, (row.unit_id, row.substance, rho, fill)


@pytest.mark.parametrize(
    ("substance", "low", "high"),
    [
        ("汽油", 720.0, 775.0),  # GB 17930-2016 车用汽油, 密度(20 ℃) 720-775 kg/m³
        ("柴油", 810.0, 845.0),  # GB 19147-2016 车用柴油, 密度(20 ℃) 810-845 kg/m³ (5#, 0#, -10#)
        (
            "液化石油气",
            500.0,
            580.0,
        ),  # between liquid propane (500) and n-butane (579) at 20 °C, CRC Handbook
        ("原油", 800.0, 950.0),  # light to heavy crude, API gravity 45-17
    ],
)
def test_mixture_densities_in_published_ranges(substance, low, high):
    assert low <= src.DENSITY[substance] <= high


def test_vessel_volume_matches_its_dimensions(demo_park):
    inst = demo_park.installations
    for row in inst[inst["kind"] == "storage_tank"].itertuples():
        assert row.volume_m3 == pytest.approx(math.pi / 4 * row.diameter_m**2 * row.height_m, rel=1e-3)
    for row in inst[inst["kind"] == "spherical_tank"].itertuples():
        assert row.volume_m3 == pytest.approx(math.pi / 6 * row.diameter_m**3, rel=1e-3)


def test_liquefied_gases_are_stored_at_or_above_their_vapour_pressure(demo_park):
    """A liquefied gas kept as a liquid needs an absolute pressure >= its vapour pressure at the storage T."""
    substances = pytest.importorskip("analysis.physics.substances")
    inst = demo_park.installations
    liq = inst[inst["phase"] == "liquefied_gas"]
    assert len(liq) >= 20
    for row in liq.itertuples():
        psat = float(substances.get(row.substance).vapour_pressure(row.temperature_k))
        assert psat <= row.pressure_pa <= max(2.5 * psat, 2.0e6) or row.kind == "reactor", (row.unit_id, psat)
    spheres = inst[inst["kind"] == "spherical_tank"]
    assert spheres["pressure_pa"].between(0.8e6, 1.6e6).all()  # LPG/propylene/ammonia spheres, absolute


def test_tank_spacing_follows_gb50160(metric):
    """Adjacent tanks of one group stand spacing x D apart, shell to shell (GB 50160-2008, 表 6.2.8 / 6.3.3)."""
    inst = metric["installations"].set_index("unit_id")
    for g in src.TANK_GROUPS:
        if len(g.unit_ids) < 2:
            continue
        geoms = inst.loc[list(g.unit_ids)].geometry
        gaps = [min(a.distance(b) for b in geoms if b is not a) for a in geoms]
        # 64-gon circles are inscribed, so gaps come out a little larger than the true spacing
        np.testing.assert_allclose(np.asarray(gaps) / g.diameter_m, g.spacing, rtol=0.0, atol=0.02)


def test_bunds_hold_the_required_volume(metric):
    """GB 50351-2014: bund capacity >= largest tank (fixed roof) or half of it (floating roof), height <= 2.2 m."""
    inst = metric["installations"].set_index("unit_id")
    for g in src.TANK_GROUPS:
        if g.bund_height_m is None:
            continue
        assert g.bund_height_m <= 2.2
        rows = inst.loc[list(g.unit_ids)]
        net = rows["bund_area_m2"].iloc[0] - rows.geometry.area.sum()
        assert net * g.bund_height_m >= g.bund_capacity_fraction * rows["volume_m3"].max() * 0.99, g.bund_name


def test_domino_chains_exist(metric):
    inst = metric["installations"].set_index("unit_id")
    # adjacent tanks of one bund within 0.6 D of each other
    close_pairs = 0
    for g in src.TANK_GROUPS:
        geoms = inst.loc[list(g.unit_ids)].geometry
        close_pairs += sum(a.distance(b) <= 0.62 * g.diameter_m for a, b in itertools.combinations(geoms, 2))
    assert close_pairs >= 20
    # spheres within 50-100 m of a fire source (loading bay of liquefied hydrocarbons)
    spheres = inst[inst["kind"] == "spherical_tank"]
    bays = inst[(inst["kind"] == "loading_bay") & (inst["substance"] == "液化石油气")]
    d = min(s.distance(b) for s in spheres.geometry for b in bays.geometry)
    assert 50.0 <= d <= 100.0


def test_an_enterprise_crossing_pair_within_120_m(metric):
    """At least one hazardous pair in different enterprises, footprint to footprint 60-120 m, across a shared fence."""
    inst = metric["installations"]
    ent = metric["enterprises"].set_index("enterprise_id").geometry
    hazardous = inst[inst["inventory_kg"] >= 100_000]
    found = []
    for a, b in itertools.combinations(hazardous.itertuples(), 2):
        if a.enterprise_id == b.enterprise_id:
            continue
        d = a.geometry.distance(b.geometry)
        shared_fence = ent[a.enterprise_id].intersection(ent[b.enterprise_id]).length > 100.0
        if 60.0 <= d <= 120.0 and shared_fence:
            found.append((a.unit_id, b.unit_id, d))
    assert found, "no enterprise-crossing pair within 60-120 m"
    assert ("E04-V102", "E05-T101") in {(a, b) for a, b, _ in found}


def test_pipelines(demo_park, metric):
    pipes = demo_park.pipelines.set_index("pipeline_id")
    gas = pipes[pipes["kind"] == "transmission"]
    assert len(gas) == 1
    row = gas.iloc[0]
    assert row["substance"] == "天然气" and row["buried"]
    assert row["diameter_m"] in (0.508, 0.610)
    assert 4.0e6 + 101_325 <= row["pressure_pa"] <= 6.3e6 + 101_325  # MAOP 4-6.3 MPa gauge, stored absolute
    process = pipes[pipes["kind"] == "process"]
    assert {"氢气", "氯气", "液氨", "丙烯", "液化石油气"} <= set(process["substance"])


def test_gas_pipeline_passes_villages_and_a_school_within_300_m(metric):
    pipes = metric["pipelines"].set_index("pipeline_id")
    line = pipes.geometry[pipes["kind"] == "transmission"].iloc[0]
    targets = metric["sensitive_targets"]
    near = targets[targets.geometry.distance(line) <= 300.0]
    assert (near["category"] == "village").any()
    assert (near["category"] == "school").any()
    # GB 32167-2015, gas-line HCA criteria: a specific site (school, hospital ...) within 200 m of the line makes
    # the stretch a high-consequence area — the demo line must have such stretches for issue 8 to show.
    specific = targets[
        targets["category"].isin(["school", "kindergarten", "hospital", "nursing_home", "market"])
    ]
    assert (specific.geometry.distance(line) <= 200.0).sum() >= 2
    # but nobody lives on top of the line
    assert targets.geometry.distance(line).min() > 20.0


def test_sensitive_targets(demo_park, metric):
    tg = demo_park.sensitive_targets
    assert len(tg) >= 25
    assert {
        "school",
        "kindergarten",
        "hospital",
        "nursing_home",
        "village",
        "residential",
        "office",
        "market",
        "government",
    } <= set(tg["category"])
    # GB 36894-2018 表 1: schools, kindergartens, hospitals, nursing homes are high-sensitive targets
    hs = tg[tg["category"].isin(["school", "kindergarten", "hospital", "nursing_home"])]
    assert (hs["protection_class"] == "high_sensitive").all()
    assert (tg.loc[tg["category"] == "government", "protection_class"] == "important").all()
    day_schools = tg[tg["category"].isin(["school", "kindergarten"])]
    assert (day_schools["population_day"] > day_schools["population_night"]).all()
    villages = tg[tg["category"] == "village"]
    assert (villages["population_night"] > villages["population_day"]).all()
    # some are close enough for the siting checks to fail: within 300 m of the park outline
    park = metric["parks"].geometry.iloc[0]
    assert (metric["sensitive_targets"].geometry.distance(park) <= 300.0).sum() >= 4


def test_buildings_include_misplaced_and_proper_control_rooms(metric):
    bld, inst = metric["buildings"], metric["installations"]
    assert {"control_room", "cabinet_room", "lab", "office", "shift_room", "substation"} <= set(bld["use"])
    five_rooms = bld[bld["use"].isin(["control_room", "cabinet_room", "lab", "office", "shift_room"])]
    hazardous = inst[inst["inventory_kg"] >= 1_000].geometry
    nearest = five_rooms.geometry.apply(lambda g: hazardous.distance(g).min())
    too_close = five_rooms[(nearest <= 40.0) & ~five_rooms["blast_resistant"]]
    assert len(too_close) >= 5
    assert "B-E04-01" in set(too_close["building_id"])  # control room next to the LPG spheres
    proper = bld[(bld["use"] == "control_room") & bld["blast_resistant"]]
    assert len(proper) >= 5
    assert (proper.geometry.apply(lambda g: hazardous.distance(g).min()) >= 60.0).all()


def test_rectifications(demo_park):
    rc = demo_park.rectifications
    assert len(rc) >= 40
    assert set(rc["status"]) == set(schema.ENUMS["rectification_status"])
    assert (rc["hazard_level"] == "major").any()
    assert rc["found_on"].min() >= pd.Timestamp("2025-01-01")
    assert rc["found_on"].max() <= REFERENCE_DATE
    assert (rc["deadline"] > rc["found_on"]).all()
    closed = rc["status"] == "closed"
    assert rc.loc[closed, "closed_on"].notna().all()
    assert rc.loc[~closed, "closed_on"].isna().all()
    assert (rc.loc[closed, "closed_on"] >= rc.loc[closed, "found_on"]).all()
    overdue = (rc["deadline"] < REFERENCE_DATE) & ~closed
    assert overdue.sum() >= 5
    assert (~overdue & ~closed).sum() >= 5  # and some open items still within their deadline
    assert rc["enterprise_id"].isna().any()  # park-level items


def test_road_network_is_connected(demo_park):
    roads = demo_park.roads
    assert roads is not None and len(roads) >= 30
    assert {"park", "public", "highway"} <= set(roads["kind"])
    graph = nx.Graph()
    for line in roads.geometry:
        a, b = line.coords[0], line.coords[-1]
        graph.add_edge((round(a[0], 7), round(a[1], 7)), (round(b[0], 7), round(b[1], 7)))
    assert nx.is_connected(graph)


def test_assembly_points_on_roads_around_the_park(demo_park, metric):
    """3–6 named points with capacities, each on a public road outside the park, spread round it: every 90°
    sector seen from the park centre holds one, so whatever the wind some lie upwind or crosswind."""
    ap = metric["assembly_points"]
    assert 3 <= len(ap) <= 6
    assert ap["point_id"].is_unique and ap["name"].str.len().gt(3).all()
    assert (ap["capacity"] > 0).all()
    roads = metric["roads"]
    public = roads[roads["kind"] != "park"].union_all()
    assert (ap.distance(public) < 0.5).all()  # on a public road [m]
    park = metric["parks"].union_all()
    assert not ap.intersects(park).any()
    c = park.centroid
    bearings = np.degrees(np.arctan2(ap.geometry.x - c.x, ap.geometry.y - c.y)) % 360.0
    assert {int(b // 90) for b in bearings} == {0, 1, 2, 3}
    assert (ap.distance(park) < 2500.0).all()  # within reach on foot [m]


# --------------------------------------------------------------------------------------------------------------
# Deterministic rebuild
# --------------------------------------------------------------------------------------------------------------
def test_rebuild_gives_the_same_content(tmp_path, demo_park):
    out = tmp_path / "rebuilt.gpkg"
    build_demo_park.write_demo_park(out)
    again = load_park(out)
    for name, gdf in demo_park.layers.items():
        assert_geodataframe_equal(again.layers[name], gdf, check_less_precise=False)


def test_two_rebuilds_are_byte_identical(tmp_path):
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    build_demo_park.write_demo_park(a)
    build_demo_park.write_demo_park(b)
    assert a.read_bytes() == b.read_bytes()


def test_builder_is_deterministic_in_memory():
    a, b = build_demo_park.build_layers(), build_demo_park.build_layers()
    for name in a:
        assert_geodataframe_equal(a[name], b[name])


def test_bad_shape_kind_is_rejected():
    with pytest.raises(ValueError, match="shape kind 'ellipse'"):
        build_demo_park._shape(("ellipse", 0.0, 0.0, 1.0))
