"""Propagation of escalation: first-level combinations and the multi-level Monte Carlo simulation.

First-level escalation is combined as in Cozzani et al. [1]_ (all combinations of secondary events, each with the
product of the probabilities of the events that occur and of the complements of those that do not); higher levels
by a seeded Monte Carlo simulation on the escalation graph, after the multi-level propagation of Khakzad et al.
[2]_, with its synergistic effect: the heat radiation of every stationary fire burning at a level is summed on each
target, including fires each below the threshold (:class:`_Synergy`). Without the synergy each failed unit acts
alone through its most probable scenario (:func:`_simulate_independent`).

Random streams and workers: the ``n_samples`` samples of the primary event number ``i`` (in the order of the kept
edges' (source, scenario) groups) are cut into fixed blocks of :data:`MC_BLOCK` samples; block ``b`` draws from its
own stream ``np.random.default_rng(np.random.SeedSequence(seed).spawn(n_events)[i].spawn(n_blocks)[b])`` (the
child with ``spawn_key = (i, b)``). Each block is reduced to integer counts (failures per unit, units lost, deepest
level), summed in block order and divided by ``n_samples`` once, so a run gives the same numbers, bit for bit, in
one process or in several: the primary events are shared among **worker processes**
(:func:`analysis.qra.parallel.process_map`, ``fork``; the GIL would serialise the networkx searches and the many
small numpy calls of one event), as many as ``PARKRISK_WORKERS`` or the CPUs allow
(:func:`analysis.qra.parallel.process_workers`).

References
----------
.. [1] Cozzani V., Gubinelli G., Antonioni G., Spadoni G., Zanelli S. (2005). The assessment of risk caused by
   domino effect in quantitative area risk analysis. J. Hazard. Mater. A127, 14–30 (combinatorial first-level
   method, Eq. 1–3).
.. [2] Khakzad N., Khan F., Amyotte P., Cozzani V. (2013). Domino effect analysis using Bayesian networks.
   Risk Anal. 33(2), 292–306 (multi-level propagation; synergistic effects).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analysis.domino.graph import _chain_table, _chains_from
from analysis.domino.models import (
    _STATIONARY_FIRES,
    PRIMARY_LABELS_ZH,
    EscalationModel,
    _model,
    escalation_probability,
)
from analysis.domino.units import _Units
from analysis.errors import AnalysisInputError
from analysis.qra.parallel import process_map, process_workers

__all__ = ["MC_BLOCK", "first_level_combinations"]

#: Monte Carlo samples per block; every block has its own random stream (see the module docstring). Fixed: changing
#: it changes the samples drawn (not their distribution).
MC_BLOCK = 1000


def first_level_combinations(
    probabilities: Mapping[str, float] | pd.Series, *, max_targets: int = 16, top: int | None = None
) -> pd.DataFrame:
    """All combinations of secondary events of one primary event, with their probabilities.

    For n credible targets with escalation probabilities P_i, the probability of the combination J (the targets in
    J fail, the others do not) is P(J) = Π_{i∈J} P_i · Π_{i∉J} (1 − P_i) — Cozzani et al. 2005 [1]_, Eq. 1–3
    (targets independent; synergistic effects neglected). The 2ⁿ − 1 non-empty combinations sum to
    1 − Π(1 − P_i).

    Parameters
    ----------
    probabilities : mapping or Series
        Target id -> escalation probability. [-]
    max_targets : int
        Largest n enumerated exactly (2ⁿ rows); above it only the ``top`` most probable combinations found by a
        best-first search are returned.
    top : int, optional
        Keep the ``top`` most probable combinations.

    Returns
    -------
    DataFrame
        Columns ``targets`` (tuple), ``n`` (number of secondary events), ``probability`` [-], sorted by
        probability (descending).

    References
    ----------
    .. [1] Cozzani V. et al. (2005). J. Hazard. Mater. A127, 14–30.
    """
    s = pd.Series(probabilities, dtype=float)
    s = s[s > 0]
    if ((s > 1) | ~np.isfinite(s)).any():
        raise AnalysisInputError(
            f"probabilities 升级概率应在 [0, 1] 内，收到 {s[(s > 1) | ~np.isfinite(s)].tolist()}"
        )
    ids = list(s.index)
    p = s.to_numpy()
    n = len(ids)
    rows: list[tuple[tuple, int, float]] = []
    if n == 0:
        return pd.DataFrame(
            {
                "targets": pd.Series([], dtype=object),
                "n": pd.Series([], dtype=int),
                "probability": pd.Series([], dtype=float),
            }
        )
    if n <= max_targets:
        # all 2^n subsets as a bit matrix: [1], Eq. 1–3
        bits = ((np.arange(1, 2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
        prob = np.where(bits, p, 1.0 - p).prod(axis=1)
        order = np.argsort(-prob, kind="stable")
        if top is not None:
            order = order[:top]
        for k in order:
            members = tuple(ids[i] for i in np.flatnonzero(bits[k]))
            rows.append((members, len(members), float(prob[k])))
    else:
        # Best-first enumeration: start from the most probable configuration (target i fails iff P_i > 0.5) and
        # flip targets in order of decreasing probability factor f_i = min(odds_i, 1/odds_i) ≤ 1; the classic
        # "extend / replace last" moves visit every flip set once, in non-increasing probability.
        k_top = top or 50
        with np.errstate(divide="ignore"):
            log_on, log_off = np.log(p), np.log1p(-p)
        on = p > 0.5
        log_map = float(np.where(on, log_on, log_off).sum())
        log_f = -np.abs(log_on - log_off)  # log of the flip factor, ≤ 0
        order = np.argsort(-log_f, kind="stable")
        lf = log_f[order]
        heap: list[tuple[float, tuple[int, ...]]] = [(-log_map, ())]
        while heap and len(rows) < k_top:
            neg, idx = heapq.heappop(heap)
            if not np.isfinite(neg):
                break
            state = on.copy()
            for t in idx:
                state[order[t]] = ~state[order[t]]
            if state.any():
                members = tuple(ids[i] for i in np.flatnonzero(state))
                rows.append((members, len(members), math.exp(-neg)))
            last = idx[-1] if idx else -1
            if last + 1 < n:
                heapq.heappush(heap, (neg - lf[last + 1], idx + (last + 1,)))
                if idx:
                    heapq.heappush(heap, (neg + lf[last] - lf[last + 1], idx[:-1] + (last + 1,)))
    return pd.DataFrame(rows, columns=["targets", "n", "probability"])


# ----------------------------------------------------------------------------------------------------------------
# Multi-level Monte Carlo: independent edges, or synergy of simultaneous fires
# ----------------------------------------------------------------------------------------------------------------
def _simulate_independent(rng, g, nodes, p_first, s, max_level):
    """One primary event, each failed unit acting alone through its most probable scenario (graph edges):
    failed (samples × nodes) and the level each node failed at."""
    loc = {u: i for i, u in enumerate(nodes)}
    nn = len(nodes)
    pmat = np.zeros((nn, nn))
    for u in nodes:
        for v, data in g[u].items():
            if v in loc:
                pmat[loc[u], loc[v]] = data["probability"]
    logq = np.log1p(-np.clip(pmat, 0.0, 1.0 - 1e-12))
    failed = rng.random((s, nn)) < p_first
    new = failed.copy()
    level_of = np.where(failed, 1, 0)
    for lev in range(2, max_level + 1):
        if not new.any():
            break
        p_hit = -np.expm1(
            new.astype(float) @ logq
        )  # 1 - Π(1 - p) over the units that failed at the last level
        newly = (rng.random((s, nn)) < p_hit) & ~failed
        failed |= newly
        level_of = np.where(newly, lev, level_of)
        new = newly
    return failed, level_of


@dataclass
class _Synergy:
    """Loads of the multi-level Monte Carlo with summed heat radiation (see ``DominoOptions.synergy``).

    heat[k, j]: heat flux of unit k's stationary fire on unit j (largest of its pool/jet fire) [W/m²];
    primary_heat[(k, kind)]: the same for one primary scenario; inst[k, j]: escalation probability of unit k's
    instantaneous scenarios (fireball, VCE, vessel burst) on j, the largest [-]. Both matrices are sparse (a unit
    reaches few others), so large parks stay small in memory.
    """

    model: EscalationModel
    heat: Any  # scipy.sparse CSR, n × n
    primary_heat: dict[tuple[int, str], np.ndarray]
    inst: Any  # scipy.sparse CSR, n × n
    classes: np.ndarray
    volumes: np.ndarray
    heat_threshold: np.ndarray

    @classmethod
    def build(cls, opts, m, n, heat_rows, kept, index, classes_a, volumes_a) -> _Synergy | None:
        if not opts.synergy:
            return None
        from scipy import sparse

        best_heat: dict[tuple[int, int], float] = {}
        primary_heat: dict[tuple[int, str], np.ndarray] = {}
        for k, kind, j, x in heat_rows:
            best_heat[(k, j)] = max(best_heat.get((k, j), 0.0), x)
            primary_heat.setdefault((k, kind), np.zeros(n))[j] = x
        best_inst: dict[tuple[int, int], float] = {}
        if len(kept):
            ki = kept[~kept["scenario"].isin(_STATIONARY_FIRES)]
            for rec in ki.itertuples(index=False):
                key = (index[rec.source], index[rec.target])
                best_inst[key] = max(best_inst.get(key, 0.0), float(rec.probability))

        def csr(d: dict[tuple[int, int], float]):
            rows = np.fromiter((a for a, _ in d), dtype=int, count=len(d))
            cols = np.fromiter((b for _, b in d), dtype=int, count=len(d))
            return sparse.csr_array(
                (np.fromiter(d.values(), dtype=float, count=len(d)), (rows, cols)), shape=(n, n)
            )

        thr = np.array([m.thresholds[(c, "heat_flux", "stationary_fire")] for c in classes_a])
        return cls(m, csr(best_heat), primary_heat, csr(best_inst), classes_a, volumes_a, thr)

    def _q0(self, k: int, kind: str) -> np.ndarray:
        q0 = self.primary_heat.get((k, kind))
        return q0 if q0 is not None else np.zeros(self.heat.shape[0])

    def closure(self, reach: set, k: int, kind: str, g: Any, ids: np.ndarray) -> set:
        """Add the units that the summed fires of the reachable units (and the primary's) could set off."""
        import networkx as nx

        q0 = self._q0(k, kind)
        reach = set(reach)
        while True:
            idx = [i for i, u in enumerate(ids) if u in reach and i != k]
            total = q0 + (np.asarray(self.heat[idx].sum(axis=0)).ravel() if idx else 0.0)
            extra = {ids[j] for j in np.flatnonzero(total >= self.heat_threshold) if j != k} - reach
            if not extra:
                return reach
            for u in extra:
                reach |= {u} | nx.descendants(g, u)

    def prepare(self, nodes, index, k, kind) -> dict[str, Any]:
        """The matrices of one primary event restricted to its reachable units (shared by its sample blocks)."""
        nidx = np.array([index[u] for u in nodes], dtype=int)
        hn = self.heat[nidx][:, nidx].toarray()
        logq = np.log1p(-np.clip(self.inst[nidx][:, nidx].toarray(), 0.0, 1.0 - 1e-12))
        exploders = np.flatnonzero((logq != 0.0).any(axis=1))  # units with instantaneous edges
        hit_by = np.flatnonzero((logq != 0.0).any(axis=0))  # units such edges reach
        q0 = self._q0(k, kind)[nidx]
        # columns that the summed fires could ever set off, and the rows (units) whose fires reach them
        cols = np.flatnonzero(q0 + hn.sum(axis=0) >= self.heat_threshold[nidx])
        burners = np.flatnonzero(hn[:, cols].any(axis=1)) if cols.size else np.array([], dtype=int)
        classes, cls_code = np.unique(self.classes[nidx][cols], return_inverse=True)
        return {
            "kind": kind,
            "logq_e": logq[np.ix_(exploders, hit_by)],
            "exploders": exploders,
            "hit_by": hit_by,
            "cols": cols,
            "burners": burners,
            "hn_c": hn[np.ix_(burners, cols)],
            "q0_c": q0[cols],
            "classes": classes,
            "cls_code": cls_code,
            "vol_c": self.volumes[nidx][cols],
            "thr_c": self.heat_threshold[nidx][cols],
        }

    def simulate(self, rng, prep, p_first, s, max_level):
        """One block of samples of one primary event (``prep`` from :meth:`prepare`): failed (samples × nodes) and
        the level each node failed at."""
        nn = len(p_first)
        cols, burners, exploders, hit_by = prep["cols"], prep["burners"], prep["exploders"], prep["hit_by"]
        resistance = rng.random((s, nn))  # sampled once per target: failure when P(total flux) exceeds it
        res_c = resistance[:, cols]
        if prep["kind"] in _STATIONARY_FIRES:
            failed = resistance < p_first  # level 1 is the primary fire's own flux: P(q0) = p_first
        else:
            failed = rng.random((s, nn)) < p_first
        new = failed.copy()
        level_of = failed.astype(np.int8)
        for lev in range(2, max_level + 1):
            # from level 3 on, only the samples that lost a unit at the last level can lose more (their summed flux
            # changed; the others were tested against the same flux already): the level works on those rows only
            act = np.flatnonzero(new.any(axis=1))
            if not act.size:
                break
            rows = slice(None) if lev == 2 else act
            f_a = failed[rows]
            newly = np.zeros((s if lev == 2 else act.size, nn), dtype=bool)
            if (
                hit_by.size
            ):  # instantaneous scenarios of the units that failed at the last level, once: 1 − Π(1 − p)
                p_inst = -np.expm1(new[rows][:, exploders].astype(float) @ prep["logq_e"])
                newly[:, hit_by] = rng.random(p_inst.shape) < p_inst
            if cols.size:
                q = (
                    prep["q0_c"] + f_a[:, burners].astype(float) @ prep["hn_c"]
                )  # all fires now, summed [W/m²]
                # below the threshold P = 0, and a failed unit stays failed: the probit only where it can act
                r_i, c_i = np.nonzero((q >= prep["thr_c"]) & ~f_a[:, cols])
                r_res = r_i if lev == 2 else act[r_i]
                for code, cls in enumerate(prep["classes"]):  # one call per equipment class (few)
                    sel = prep["cls_code"][c_i] == code
                    if not sel.any():
                        continue
                    r_s, c_s = r_i[sel], c_i[sel]
                    p_heat = escalation_probability(
                        equipment=cls, heat_flux=q[r_s, c_s], volume=prep["vol_c"][c_s], model=self.model
                    )
                    hit = res_c[r_res[sel], c_s] < p_heat
                    newly[r_s[hit], cols[c_s[hit]]] = True
            newly &= ~f_a
            new = np.zeros_like(failed)
            new[rows] = newly
            failed |= new
            level_of[new] = lev
        return failed, level_of


# ----------------------------------------------------------------------------------------------------------------
# Step 4 of analyze(): propagation of every primary event
# ----------------------------------------------------------------------------------------------------------------
def _propagate(
    units: _Units,
    g: Any,
    kept: Any,
    heat_rows: list[tuple[int, str, int, float]],
    opts: Any,
    report: Callable[[float, str], None],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Step 4: first-level combinations, Monte Carlo propagation and most probable chains of each primary event.

    Parameters
    ----------
    units : _Units
    g : networkx.DiGraph
        The escalation graph of :func:`analysis.domino.graph._escalation_graph`.
    kept : GeoDataFrame
        The edges above ``min_probability``; one primary event per (source, scenario).
    heat_rows : list
        Heat loads of the stationary fires (:func:`analysis.domino.loads._edge_table`), for the synergy.
    opts : DominoOptions
    report : callable

    Returns
    -------
    primary_events, involvement, combinations, chains : DataFrame
        The tables of :class:`analysis.domino.DominoResult` (``primary_events`` without ``frequency``).
    """
    ids = units.ids
    index = {u: i for i, u in enumerate(ids)}
    syn = _Synergy.build(
        opts, _model(opts.model), len(units), heat_rows, kept, index, units.classes, units.volumes
    )
    events = []
    if len(kept):
        for (src, kind), grp_df in kept.groupby(["source", "scenario"], sort=False):
            p1 = pd.Series(grp_df["probability"].to_numpy(dtype=float), index=grp_df["target"].to_numpy())
            events.append((src, kind, p1))
    state = _MCState(units, g, syn, opts, index, events)
    done: dict[int, tuple] = {}
    workers = process_workers(len(events), min_tasks=2)
    # The products of one event are small (≈ 10³ samples × 10² units): BLAS threads only wait on each other, and
    # in worker processes they would compete with the other workers for the cores. One BLAS thread while the events
    # run, here and in the workers forked meanwhile (they inherit the setting); restored afterwards.
    with threadpool_limits(1, user_api="blas"):
        for gi, rows in process_map(_event_rows, range(len(events)), state, workers=workers):
            done[gi] = rows
            src, kind, _ = events[gi]
            report(0.7 + 0.25 * len(done) / len(events), f"多级传播模拟：{src} {PRIMARY_LABELS_ZH[kind]}")
    prim_rows, inv_rows, comb_rows, chain_rows = [], [], [], []
    for gi in range(len(events)):  # the groups' order, whatever order the workers finished in
        prim, inv, comb, chains = done[gi]
        prim_rows.append(prim)
        inv_rows.extend(inv)
        comb_rows.extend(comb)
        chain_rows.extend(chains)
    return _propagation_tables(prim_rows, inv_rows, comb_rows, chain_rows, opts.top_chains)


@dataclass
class _MCState:
    """What every primary event's propagation reads (inherited by the worker processes through ``fork``)."""

    units: _Units
    g: Any
    syn: _Synergy | None
    opts: Any
    index: dict[str, int]
    events: list[tuple[str, str, pd.Series]]
    dijkstra: dict = field(default_factory=dict)  # target -> its shortest paths on g (per process: chains)


def _event_rows(state: _MCState, gi: int) -> tuple[int, tuple]:
    """Combinations, Monte Carlo propagation (block by block, see the module docstring) and chains of the primary
    event number ``gi``: (gi, (primary event row, involvement rows, combination rows, chain rows))."""
    src, kind, p1 = state.events[gi]
    opts, index, ids = state.opts, state.index, state.units.ids
    comb = first_level_combinations(p1, max_targets=opts.max_combination_targets, top=opts.top_combinations)
    comb_rows = [
        {"source": src, "scenario": kind, "targets": rec.targets, "n": rec.n, "probability": rec.probability}
        for rec in comb.itertuples(index=False)
    ]
    nodes = _reachable(state.g, state.syn, p1, src, index[src], kind, ids)
    loc = {u: i for i, u in enumerate(nodes)}
    p_first = np.zeros(len(nodes))
    for t, p in p1.items():
        p_first[loc[t]] = p
    s = opts.n_samples
    sizes = [min(MC_BLOCK, s - a) for a in range(0, s, MC_BLOCK)]
    streams = np.random.SeedSequence(opts.seed).spawn(len(state.events))[gi].spawn(len(sizes))
    prep = state.syn.prepare(nodes, index, index[src], kind) if state.syn is not None else None
    counts = np.zeros(len(nodes), dtype=np.int64)
    lost = any_lost = deepest = 0
    for size, ss in zip(sizes, streams, strict=True):
        rng = np.random.default_rng(ss)
        if prep is None:
            failed, level_of = _simulate_independent(rng, state.g, nodes, p_first, size, opts.max_level)
        else:
            failed, level_of = state.syn.simulate(rng, prep, p_first, size, opts.max_level)
        n_lost = np.count_nonzero(failed, axis=1)
        counts += np.count_nonzero(failed, axis=0)
        lost += int(n_lost.sum())
        any_lost += int(np.count_nonzero(n_lost))
        deepest += int(level_of.max(axis=1, initial=0).sum(dtype=np.int64))  # 0 where no unit is lost
    ent = state.units.ent
    inv_rows = [
        {
            "source": src,
            "scenario": kind,
            "unit_id": u,
            "p_level1": float(p_first[loc[u]]),
            "p_involved": float(counts[loc[u]] / s),
            "crosses_enterprise": bool(ent[index[u]] != ent[index[src]]),
        }
        for u in nodes
    ]
    prim = _primary_event_row(src, kind, p1, s, lost, any_lost, deepest)
    return gi, (
        prim,
        inv_rows,
        comb_rows,
        _chains_from(state.g, src, kind, p1, opts.max_level, state.dijkstra),
    )


def _reachable(
    g: Any, syn: _Synergy | None, p1: pd.Series, src: str, k: int, kind: str, ids: np.ndarray
) -> list[str]:
    """The units that one primary event could involve at any level, sorted (the columns of the Monte Carlo)."""
    import networkx as nx

    reach = set(p1.index)
    for t in list(p1.index):
        reach |= nx.descendants(g, t)
    if syn is not None:
        reach = syn.closure(reach, k, kind, g, ids)
    reach.discard(src)
    return sorted(reach)


def _primary_event_row(
    src: str, kind: str, p1: pd.Series, s: int, lost: int, any_lost: int, deepest: int
) -> dict[str, Any]:
    """One row of :attr:`analysis.domino.DominoResult.primary_events` from the first-level probabilities and the
    Monte Carlo counts over ``s`` samples: units lost (summed), samples losing any unit, and the deepest level of
    those samples (summed)."""
    return {
        "source": src,
        "scenario": kind,
        "scenario_zh": PRIMARY_LABELS_ZH[kind],
        "n_targets": int(len(p1)),
        "expected_level1": float(p1.sum()),
        "p_any_level1": float(1.0 - np.prod(1.0 - p1.to_numpy())),
        "expected_total": float(lost / s),
        "p_any_total": float(any_lost / s),
        "levels_mean": float(deepest / any_lost) if any_lost else 0.0,
    }


def _propagation_tables(
    prim_rows: list[dict[str, Any]],
    inv_rows: list[dict[str, Any]],
    comb_rows: list[dict[str, Any]],
    chain_rows: list[dict[str, Any]],
    top_chains: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    primary_events = pd.DataFrame(
        prim_rows,
        columns=[
            "source",
            "scenario",
            "scenario_zh",
            "n_targets",
            "expected_level1",
            "p_any_level1",
            "expected_total",
            "p_any_total",
            "levels_mean",
        ],
    )
    involvement = pd.DataFrame(
        inv_rows, columns=["source", "scenario", "unit_id", "p_level1", "p_involved", "crosses_enterprise"]
    )
    combinations = pd.DataFrame(comb_rows, columns=["source", "scenario", "targets", "n", "probability"])
    return primary_events, involvement, combinations, _chain_table(chain_rows, top_chains)
