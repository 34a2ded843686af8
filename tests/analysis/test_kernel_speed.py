"""The fast forms of the closed-form kernels equal their plain formulas (issue 19, kernels against HyRAM+).

The speed-ups (chunks in the cache, threads, Cody's vectorised Φ, the input check folded into the result) must not
change a value beyond rounding: each fast form is compared with the plain whole-array formula of its source on a
wide range of inputs, across chunk boundaries, in one and in two threads, with the edge values (0, ±inf) and the
same errors for bad input (negative, NaN, inf) as before. The published values of these kernels are tested in
test_vulnerability.py and test_explosion.py (unchanged).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from analysis.errors import AnalysisInputError
from analysis.physics import _chunks, explosion
from analysis.physics import vulnerability as vul

N = 3 * _chunks.CHUNK + 17  # more than one chunk, a short last chunk


@pytest.fixture(params=["1", "2"], ids=["1thread", "2threads"])
def threads(request, monkeypatch):
    monkeypatch.setenv(_chunks.WORKERS_ENV, request.param)
    monkeypatch.setattr(_chunks, "MIN_PARALLEL", 1)  # threads also on these test sizes
    return int(request.param)


def _wide(rng, lo_exp, hi_exp, edges):
    """Edge values, then points spread evenly in log10 from 10^lo_exp to 10^hi_exp, then uniform ones."""
    n_log = (N - len(edges)) // 2
    return np.concatenate(
        [
            edges,
            10.0 ** rng.uniform(lo_exp, hi_exp, n_log),
            rng.uniform(0, 10.0**hi_exp, N - len(edges) - n_log),
        ]
    )


def _kb_nodes_interp(z):
    """Plain: the published curve (Kingery-Bulmash [1] to Z = 40, Swisdak's far law [2] on) at the nodes
    2^e (1 + j/2048), e = −5..11, and 2^12, joined by straight lines (numpy.interp); Z held at 0.0531 below it, the
    power law itself above 2^12."""
    nodes = np.concatenate([2.0**e * (1.0 + np.arange(2048) / 2048) for e in range(-5, 12)] + [[2.0**12]])
    # from the node below 0.0531 on (the polynomial there, unclipped)
    near = nodes[nodes >= 0.0531 - 2.0**-5 / 2048]
    zc = np.clip(z, 0.0531, 2.0**12)
    p = np.interp(zc, near, explosion._kb_pressure_pa_curve(near))
    with np.errstate(divide="ignore", over="ignore"):  # the far law at Z = 0 (not used there)
        return np.where(z > 2.0**12, explosion._kb_pressure_pa_far(z), p)


def test_tnt_overpressure_chunked_equals_table_formula(threads):
    # plain: linear interpolation between nodes of the published curve at Z = R / W^(1/3), whole arrays
    rng = np.random.default_rng(11)
    r = _wide(rng, -6, 6, [0.0, 1e-300, 1e-3, 0.0531 * 8.0, 40.0 * 8.0, 4096.0 * 8.0, 1e6, 1e12])
    for w in (1e-6, 512.0, 1e7):
        fast = explosion.tnt_overpressure(w, r)
        plain = _kb_nodes_interp(r / np.cbrt(w))
        np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=0)
    for k in (0, 3, N // 2, N - 1):  # one point at a time (one chunk, one thread) gives the same value
        assert explosion.tnt_overpressure(1e7, r[k]) == fast[k]
    column = explosion.tnt_overpressure(1e7, r.reshape(-1, 1))  # any shape, the same values
    np.testing.assert_array_equal(column[:, 0], fast)
    near = rng.uniform(5.0, 2000.0, N)  # every chunk inside the table: read without the clip
    np.testing.assert_allclose(
        explosion.tnt_overpressure(500.0, near), _kb_nodes_interp(near / np.cbrt(500.0)), rtol=1e-12, atol=0
    )


def test_tnt_overpressure_table_within_published_curve():
    # the table against the published formulas themselves: [1] polynomial to Z = 40, [2] far power law beyond
    z = np.geomspace(0.0531, 4096.0 * 4, 400_001)
    published = np.where(
        z <= 40.0,
        explosion._kb_pressure_kpa_polynomial(z) * 1e3,
        explosion._kb_pressure_kpa_polynomial(40.0) * 1e3 * (z / 40.0) ** -1.4066,
    )
    rel = np.abs(explosion.kb_scaled_overpressure(z) / published - 1.0)
    assert rel.max() < 2.5e-7
    assert explosion.kb_scaled_overpressure(0.0) == explosion.kb_scaled_overpressure(0.0531)
    assert explosion.kb_scaled_overpressure(np.inf) == 0.0 and explosion.tnt_overpressure(0.0, 5.0) == 0.0


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_tnt_overpressure_bad_distance_same_error(bad):
    r = np.linspace(1.0, 100.0, N)
    r[N - 3] = bad
    with pytest.raises(AnalysisInputError, match="distance"):
        explosion.tnt_overpressure(500.0, r)


def test_lung_probit_equals_eisenberg_formula(threads):
    # Eisenberg (1975), Crowl & Louvar (2011) Table 2-5: Y = −77.1 + 6.91 ln P
    rng = np.random.default_rng(12)
    p = _wide(rng, -300, 300, [0.0, 5e-324, 1.0, 1e5, 1.7e308])
    with np.errstate(divide="ignore"):
        plain = -77.1 + 6.91 * np.log(p)
    fast = vul.probit_overpressure(p, model="eisenberg_lung")
    assert fast[0] == -np.inf
    np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(
        fast.reshape(-1, 1), vul.probit_overpressure(p.reshape(-1, 1), model="eisenberg_lung")
    )


def test_thermal_probit_equals_dose_formula(threads):
    # Y = a + b ln(t q^{4/3}) of each source; the code uses a + b ln t + (4b/3) ln q
    rng = np.random.default_rng(13)
    q = _wide(rng, -100, 200, [0.0, 1e-100, 1.0, 5e3, 1e200])  # q^{4/3} stays a normal number
    for key, (a, b) in vul.THERMAL_PROBIT_MODELS.items():
        for t in (1e-3, 20.0, 3600.0):
            with np.errstate(divide="ignore"):
                plain = a + b * np.log(t * q ** (4.0 / 3.0))
            fast = vul.probit_thermal(q, t, key)
            assert fast[0] == -np.inf
            np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-12 * abs(a))
    assert np.all(vul.probit_thermal(q, 0.0, "eisenberg1975") == -np.inf)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf, -np.inf])
def test_probits_bad_input_same_error(bad):
    x = np.linspace(1.0, 1e5, N)
    x[N // 2] = bad
    with pytest.raises(AnalysisInputError, match="overpressure"):
        vul.probit_overpressure(x, model="eisenberg_lung")
    with pytest.raises(AnalysisInputError, match="heat_flux"):
        vul.probit_thermal(x, 20.0, "eisenberg1975")
    with pytest.raises(AnalysisInputError, match="heat_flux"):  # the flux is named first, as for small arrays
        vul.probit_thermal(x, -1.0, "eisenberg1975")
    with pytest.raises(AnalysisInputError, match="exposure_time"):
        vul.probit_thermal(np.abs(np.nan_to_num(x, posinf=1.0)), -1.0, "eisenberg1975")


def test_probability_equals_erfc_form(threads):
    # Finney (1971): P = Φ(Y − 5) = ½ erfc((5 − Y)/√2); the code evaluates Φ by Cody's rational approximations
    rng = np.random.default_rng(14)
    bounds = [5.0, 5.0 + 0.66291, 5.0 - 0.66291, 5.0 + 5.656854248, 5.0 - 5.656854248]
    bounds += [np.nextafter(b, 99.0) for b in bounds[1:]] + [np.nextafter(b, -99.0) for b in bounds[1:]]
    edges = np.array([-np.inf, np.inf, -32.0, 42.0, 5.0 - 37.5, 5.0 + 1e-300, 5.0 - 1e-300, *bounds])
    y = np.concatenate(
        [edges, rng.uniform(-33.0, 43.0, N), rng.uniform(3.0, 7.0, N), rng.uniform(-2.0, 12.0, N)]
    )
    plain = 0.5 * special.erfc((5.0 - y) / np.sqrt(2.0))
    fast = vul.probability(y)
    normal = plain > 1e-300  # relative comparison where the result is a normal number
    np.testing.assert_allclose(fast[normal], plain[normal], rtol=1e-12, atol=0)
    np.testing.assert_allclose(fast[~normal], plain[~normal], rtol=0, atol=1e-300)
    assert fast[0] == 0.0 and fast[1] == 1.0
    assert vul.probability(5.0 - 38.2) == 0.0  # Φ ≈ 1e-319, below the smallest normal number: 0 as in ANORM
    assert fast[2] == pytest.approx(0.5 * special.erfc(37.0 / np.sqrt(2.0)), rel=1e-12, abs=0)
    assert np.all((fast >= 0) & (fast <= 1))
    assert vul.probability(5.0) == 0.5 and vul.probability(np.array([])).shape == (0,)
    np.testing.assert_allclose(vul.probability(y[:7].reshape(7, 1))[:, 0], fast[:7], rtol=1e-12)


def test_probability_nan_same_error():
    y = np.linspace(0.0, 10.0, N)
    y[N - 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        vul.probability(y)
    with pytest.raises(ValueError, match="NaN"):
        vul.probability(float("nan"))


def test_threads_from_environment(monkeypatch):
    monkeypatch.setenv(_chunks.WORKERS_ENV, "3")
    assert _chunks.kernel_threads() == 3
    monkeypatch.setenv(_chunks.WORKERS_ENV, "zero")
    with pytest.raises(ValueError, match=_chunks.WORKERS_ENV):
        _chunks.kernel_threads()


def test_default_threads_one_on_a_busy_machine(monkeypatch):
    monkeypatch.delenv(_chunks.WORKERS_ENV, raising=False)
    monkeypatch.setattr(_chunks, "kernel_threads", lambda: 2)
    monkeypatch.setattr(_chunks.os, "getloadavg", lambda: (0.3, 0.3, 0.3))
    assert _chunks.default_threads() == 2
    monkeypatch.setattr(_chunks.os, "getloadavg", lambda: (4.0, 4.0, 4.0))
    assert _chunks.default_threads() == 1
    monkeypatch.setenv(_chunks.WORKERS_ENV, "2")  # an explicit choice wins
    monkeypatch.setattr(_chunks, "kernel_threads", lambda: 2)
    assert _chunks.default_threads() == 2


def test_run_covers_every_point_once_in_order():
    seen = np.zeros(N, dtype=int)

    def body(a, b):
        seen[a:b] += 1
        return a

    starts = _chunks.run(N, body, threads=2)
    assert np.all(seen == 1)
    assert starts == list(range(0, N, _chunks.CHUNK))
    assert _chunks.run(0, body) == []


def test_run_hands_a_chunk_error_to_the_caller():
    def body(a, b):
        if a:
            raise ArithmeticError(f"chunk at {a}")
        return a

    with pytest.raises(ArithmeticError, match="chunk at"):
        _chunks.run(N, body, threads=2)
