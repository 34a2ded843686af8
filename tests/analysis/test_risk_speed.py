"""The fast paths of the individual-risk grid give the results of the straightforward ones (issue 19 item 2).

- :class:`analysis.qra.placing.TableReader` reads a weighted sum of tables exactly as
  ``scipy.ndimage.map_coordinates(order=1, mode="constant", cval=0)`` reads each table (the reference: scipy);
- a run on two cores (worker processes, threads) gives the serial run's grid, receptors and events;
- identical installations (one tank group) are prepared once and give what each prepared alone gives.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import map_coordinates

from analysis.qra import individual as risk
from analysis.qra import parallel
from analysis.qra.lethality import DirGroup
from analysis.qra.placing import TableReader
from analysis.weather import demo_wind_rose
from geodata import load_park
from geodata.samples.build_demo_park import DEFAULT_PATH


def test_table_reader_reads_as_map_coordinates_does():
    rng = np.random.default_rng(3)
    tables = [rng.random((37, 53)) for _ in range(3)]
    grp = DirGroup([], s_min=-20.0, s_max=240.0, c_max=90.0, ht=5.0)
    s = rng.uniform(-60.0, 300.0, 20_000)  # inside, on the edges and outside the box
    c = rng.uniform(-120.0, 120.0, 20_000)
    s[:50] = grp.s_min + grp.ht * (tables[0].shape[1] - 1)  # exactly on the last column
    c[50:100] = -grp.c_max  # exactly on the first row
    w = np.array([0.2, 1.5, 3.0])
    reader = TableReader(tables, grp)
    keep, idx, fx, fy = reader.weights(s, c)
    got = np.zeros(s.size)
    got[keep] = reader.read(w, idx, fx, fy)
    coords = [(c + grp.c_max) / grp.ht, (s - grp.s_min) / grp.ht]
    want = sum(
        wk * map_coordinates(t, coords, order=1, mode="constant", cval=0.0)
        for wk, t in zip(w, tables, strict=True)
    )
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert (want[~keep] == 0).all() and keep.sum() < s.size  # points outside the table read 0 and are skipped
    each = np.zeros((s.size, 3))
    each[keep] = reader.read(np.eye(3), idx, fx, fy)  # every table at once
    np.testing.assert_array_equal(each[keep], reader.read(None, idx, fx, fy))  # the same, without weights
    for k, t in enumerate(tables):
        np.testing.assert_allclose(
            each[:, k], map_coordinates(t, coords, order=1, mode="constant"), atol=1e-15
        )


@pytest.mark.parametrize("wind_from", [0.0, 22.5, 45.0, 90.0, 180.0, 247.5, 270.0, 337.5])
def test_box_cells_hold_every_cell_inside_the_rotated_box(wind_from):
    """The row-by-row selection is a superset of the brute-force test of every cell of the window (and small)."""
    from analysis.qra.lethality import rotate
    from analysis.qra.placing import box_cells
    from analysis.qra.windows import Window

    grp = DirGroup([], s_min=-23.0, s_max=1900.0, c_max=310.0, ht=5.0)
    shape = (int(2 * grp.c_max / grp.ht) + 1, int((grp.s_max - grp.s_min) / grp.ht) + 1)
    xc, yc = np.arange(-2000.0, 2000.0, 10.0) + 5.0, np.arange(2000.0, -2000.0, -10.0) - 5.0
    DX, DY = np.meshgrid(xc - 3.7, yc + 1.2)
    win = Window(0, yc.size, 0, xc.size, DX, DY, np.zeros(DX.shape))
    reader = TableReader([np.ones(shape)], grp)
    keep_all, *_ = reader.weights(*rotate(DX.ravel(), DY.ravel(), wind_from))
    cells = box_cells(win, grp, shape, wind_from)
    assert np.unique(cells).size == cells.size
    assert set(np.flatnonzero(keep_all)) <= set(cells.tolist())
    assert cells.size < 1.2 * keep_all.sum() + 4 * xc.size  # the box plus its slack, not the window


@pytest.fixture(scope="module")
def demo():
    return load_park(DEFAULT_PATH)


def _run(park, monkeypatch, workers: int, **kw):
    monkeypatch.setenv(parallel.WORKERS_ENV, str(workers))
    return risk.individual_risk(park, resolution=50.0, weather=demo_wind_rose(), **kw)


def test_two_cores_give_the_serial_result(demo, monkeypatch):
    one = _run(demo, monkeypatch, 1)
    two = _run(demo, monkeypatch, 2)
    assert one.grid.shape == two.grid.shape
    np.testing.assert_allclose(two.grid, one.grid, rtol=1e-12, atol=1e-20)
    np.testing.assert_allclose(two.receptors["ir"], one.receptors["ir"], rtol=1e-12, atol=1e-20)
    assert one.events.drop(columns="frequency").equals(two.events.drop(columns="frequency"))
    np.testing.assert_allclose(two.events["frequency"], one.events["frequency"], rtol=1e-12)
    assert (one.outcomes["computed"] == two.outcomes["computed"]).all()
    assert one.units["unit_id"].tolist() == two.units["unit_id"].tolist()


def test_identical_tanks_are_prepared_once_with_the_same_result(demo, monkeypatch):
    group = ["E01-T201", "E01-T202", "E01-T203", "E01-T204"]  # one gasoline tank group: identical tanks
    calls: list[str] = []
    original = risk._prepare_unit

    def counting(run, uid, *a, **k):
        calls.append(uid)
        return original(run, uid, *a, **k)

    monkeypatch.setattr(risk, "_prepare_unit", counting)
    together = _run(demo, monkeypatch, 1, units=group, extent=(-500.0, 1000.0, 1200.0, 3000.0))
    assert calls == ["E01-T201"]
    alone = _run(demo, monkeypatch, 1, units=["E01-T203"], extent=(-500.0, 1000.0, 1200.0, 3000.0))
    by_unit = together.units.set_index("unit_id")
    for col in ("n_outcomes", "frequency", "reach_m"):
        assert by_unit.loc["E01-T203", col] == pytest.approx(alone.units.iloc[0][col], rel=1e-12)
    k = together.units["unit_id"].tolist().index("E01-T203")
    np.testing.assert_allclose(
        together.contributions[:, k], alone.contributions[:, 0], rtol=1e-12, atol=1e-20
    )


def test_workers_setting_is_checked(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "zwei")
    with pytest.raises(ValueError, match="PARKRISK_WORKERS"):
        parallel.cpu_workers()
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    assert parallel.process_workers(1000) == 1
    assert [list(r) for r in parallel.split(5, 2)] == [[0, 1], [2, 3, 4]]
    assert [list(r) for r in parallel.interleave(5, 2)] == [[0, 2, 4], [1, 3]]
    assert [list(r) for r in parallel.interleave(1, 2)] == [[0]]


def test_plume_on_grid_axes_is_the_plume_on_the_full_grid():
    """The grid path (σ computed per x column) gives bit for bit what the meshgrid gives (issue 19 kernels)."""
    from analysis.physics.dispersion import gaussian_plume

    xs = np.linspace(-20.0, 5000.0, 301)
    ys = np.linspace(-500.0, 500.0, 201)
    x2, y2 = np.meshgrid(xs, ys)
    for kw in (
        {"stability": "D", "release_height": 5.0},
        {"stability": "F"},
        {"stability": "B", "terrain": "urban"},
    ):
        on_axes = gaussian_plume(2.0, 3.0, xs[None, :], ys[:, None], 1.5, **kw)
        full = gaussian_plume(2.0, 3.0, x2, y2, np.full(x2.shape, 1.5), **kw)
        assert np.array_equal(on_axes, full)
        assert (on_axes[:, xs <= 0] == 0).all() and on_axes.max() > 0


def test_shared_long_reaches_placed_once_agree_with_the_exact_path(demo, monkeypatch):
    """Long reaches of identical installations rasterised once and shifted to each installation's grid cell
    (:mod:`analysis.qra.shared_fields`, displacement ≤ h/√2) against every installation read exactly at the cell
    centres: the demo park's maximum individual risk and its 1×10⁻⁶ and 3×10⁻⁷ /a contour areas within 1 %."""
    from analysis.qra import shared_fields

    made: list[tuple] = []
    computed: list[tuple] = []
    original, compute = shared_fields.FieldCache.field, shared_fields.FieldCache._compute

    def counting(self, key, *a, **k):
        made.append(key)
        return original(self, key, *a, **k)

    def computing(self, key, *a, **k):
        computed.append(key)
        return compute(self, key, *a, **k)

    monkeypatch.setattr(shared_fields.FieldCache, "field", counting)
    monkeypatch.setattr(shared_fields.FieldCache, "_compute", computing)
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    fast = risk.individual_risk(demo, resolution=10.0, weather=demo_wind_rose())
    assert made  # the demo's tank groups do take the shared path
    assert len(computed) == len(set(computed)) < len(made)  # each set's field rasterised once per pass
    monkeypatch.setattr(shared_fields, "LONG_CELLS", float("inf"))
    exact = risk.individual_risk(demo, resolution=10.0, weather=demo_wind_rose())
    assert fast.grid.max() == pytest.approx(exact.grid.max(), rel=0.01)
    areas = {}
    for name, res in (("fast", fast), ("exact", exact)):
        c = risk.risk_contours(res, levels=[1e-6, 3e-7])
        areas[name] = c.set_index("level")["area_m2"]
        assert res.contour_closed
    for level in (1e-6, 3e-7):
        assert areas["fast"][level] == pytest.approx(areas["exact"][level], rel=0.01)
    # the receptors are read exactly on both paths
    np.testing.assert_allclose(fast.receptors["ir"], exact.receptors["ir"], rtol=1e-12, atol=1e-20)


@pytest.mark.parametrize(
    "wkt",
    [
        "POINT (3 4)",
        "POLYGON ((-20 -5, 40 -5, 40 30, -20 30, -20 -5))",
        "POLYGON ((0 0, 50 0, 50 50, 40 50, 40 10, 0 10, 0 0))",  # not convex: an L
    ],
)
def test_unit_distances_measure_only_the_candidates_with_the_same_maximum(wkt):
    """The farthest-cell distances measured on the candidate cells only equal those measured on every cell."""
    import shapely

    from analysis.qra.contours import unit_distances

    geom = shapely.from_wkt(wkt)
    rng = np.random.default_rng(5)
    xs, ys = np.arange(-1500.0, 1500.0, 10.0) + 5.0, np.arange(1500.0, -1500.0, -10.0) - 5.0
    X, Y = np.meshgrid(xs, ys)
    win = rng.random(X.shape) * np.exp(-np.hypot(X, Y) / 400.0) * (1.0 + np.sin(3.0 * np.arctan2(Y, X)))
    levels = (1e-1, 3e-2, 1e-3, 1e-9)
    got = unit_distances(geom, xs, ys, win, levels)
    for lv in levels:
        ii, jj = np.nonzero(win >= lv)
        want = float(np.max(shapely.distance(geom, shapely.points(xs[jj], ys[ii])))) if ii.size else 0.0
        assert got[f"ir_distance_{lv:.0e}"] == want


def test_box_cells_of_several_directions_are_those_of_each_direction():
    from analysis.qra.placing import box_cells, box_cells_multi
    from analysis.qra.windows import Window

    grp = DirGroup([], s_min=-40.0, s_max=700.0, c_max=90.0, ht=5.0)
    shape = (int(2 * grp.c_max / grp.ht) + 1, int((grp.s_max - grp.s_min) / grp.ht) + 1)
    xc, yc = np.arange(-800.0, 800.0, 10.0) + 5.0, np.arange(800.0, -800.0, -10.0) - 5.0
    DX, DY = np.meshgrid(xc - 2.1, yc + 4.4)
    win = Window(0, yc.size, 0, xc.size, DX, DY, np.zeros(DX.shape))
    dirs = np.arange(0.0, 360.0, 22.5)
    cells, which = box_cells_multi(win, grp, shape, dirs)
    for k, d in enumerate(dirs):
        np.testing.assert_array_equal(cells[which == k], box_cells(win, grp, shape, d))
    assert (np.diff(which) >= 0).all()


@pytest.mark.parametrize("n_tables", [1, 3])
@pytest.mark.parametrize("chunk", [300_000, 2_000, 10])
def test_grid_read_of_all_directions_is_map_coordinates_per_direction(n_tables, chunk, monkeypatch):
    """Directions read together (summed per cell), one at a time, per table or summed first: each cell gets
    sum_d sum_k w_kd T_k read by scipy's map_coordinates at its (s, c) in direction d (the reference)."""
    from analysis.qra import placing
    from analysis.qra.lethality import rotate
    from analysis.qra.windows import Window

    monkeypatch.setattr(placing, "CHUNK_CELLS", chunk)
    rng = np.random.default_rng(11)
    grp = DirGroup([], s_min=-30.0, s_max=330.0, c_max=60.0, ht=4.0)
    shape = (int(2 * grp.c_max / grp.ht) + 1, int((grp.s_max - grp.s_min) / grp.ht) + 1)
    tables = [rng.random(shape) for _ in range(n_tables)]
    dirs = np.arange(0.0, 360.0, 22.5)
    w = rng.random((n_tables, dirs.size))
    xc, yc = np.arange(-400.0, 400.0, 10.0) + 5.0, np.arange(400.0, -400.0, -10.0) - 5.0
    DX, DY = np.meshgrid(xc - 1.3, yc + 2.9)
    win = Window(0, yc.size, 0, xc.size, DX, DY, np.zeros(DX.shape))
    reach = 250.0  # cells beyond it are not read
    placing.read_grid(TableReader(tables, grp), w, win, reach, dirs)
    want = np.zeros(DX.shape)
    inside = np.hypot(DX, DY) <= reach
    for d, dd in enumerate(dirs):
        s, c = rotate(DX, DY, dd)
        coords = [(c + grp.c_max) / grp.ht, (s - grp.s_min) / grp.ht]
        for k, t in enumerate(tables):
            want += w[k, d] * inside * map_coordinates(t, coords, order=1, mode="constant", cval=0.0)
    assert want.max() > 0
    np.testing.assert_allclose(win.values, want, rtol=1e-12, atol=1e-14)
