"""Frequencies of the primary events and of the secondary events that escalation adds, for the risk engine.

A primary event (unit, scenario) has the frequency of its outcome in :func:`analysis.qra.frequencies.outcomes`
(Purple Book loss-of-containment frequencies × event tree [1]_), summed per unit and outcome. The blast of a vessel
bursting (``vessel_burst``: compressed gas; ``bleve_blast``: pressurised liquefied gas) follows every instantaneous
catastrophic rupture of the vessel — LOC G.1 of [1]_ ch. 3, "instantaneous release of the complete inventory" — with
or without ignition (the blast is made by the expansion of the contents on the vessel's sudden failure, before and
independent of any fire [2]_; parkrisk's reading), so its frequency is the unit's G.1 frequency of
:func:`analysis.qra.frequencies.loss_of_containment` (e.g. 5×10⁻⁷ /a for a pressure vessel, [1]_ §3.2.1), not an
event-tree branch. An atmospheric tank (or a unit below :data:`analysis.scenarios.PRESSURISED_MIN_PA`) has no such
blast: none. NaN where not covered (kinds without LOC data, outcomes the event tree does not give). The blast and
the fireball / VCE / flash fire of the same G.1 release are one event: their secondary frequencies are summed per
target all the same (an upper bound of the union, on the safe side). A target involved with probability p (first
level: the escalation probability; all levels: the Monte Carlo involvement) adds the secondary-event frequency
f_primary × p, which :func:`analysis.qra.individual.individual_risk` adds to the target's own frequency
(``domino_frequencies``).

References
----------
.. [1] CPR 18E (2005). Guidelines for quantitative risk assessment ("Purple Book"). Sdu Uitgevers, The Hague
   (Ch. 3: loss-of-containment events and frequencies; Ch. 4: event trees).
.. [2] Planas-Cuchi, E., Salla, J. M., Casal, J. (2004). Calculating overpressure from BLEVE explosions. J. Loss
   Prev. Process Ind. 17, 431-436 (the blast of a BLEVE: the expansion work of the contents of the vessel at its
   failure; :mod:`analysis.physics.bleve_blast`).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from analysis.domino.units import _Units

log = logging.getLogger(__name__)

_OUTCOME_OF_KIND = {"pool_fire": "pool_fire", "jet_fire": "jet_fire", "fireball": "fireball", "vce": "vce"}
#: Primary scenarios whose frequency is that of the unit's instantaneous LOC (G.1) [1]_, not of an outcome.
_RUPTURE_KINDS = ("vessel_burst", "bleve_blast")


def rupture_frequency(row: dict[str, Any]) -> float:
    """Frequency of the blast of a pressurised vessel bursting (``vessel_burst``, ``bleve_blast``): its G.1. [1/a]

    The sum of the instantaneous LOCs (G.1, "instantaneous release of the complete inventory", [1]_ ch. 3) of
    :func:`analysis.qra.frequencies.loss_of_containment` for the installation row (default frequency options),
    independent of the substance and of ignition.

    Returns
    -------
    float
        [1/a]; NaN for an atmospheric tank or a unit below :data:`analysis.scenarios.PRESSURISED_MIN_PA` (no burst
        blast) and for kinds the frequency source does not cover (no instantaneous LOC).

    Raises
    ------
    ValueError
        A row whose ``inventory_kg`` is not a mass ≥ 0 (raised by ``loss_of_containment``).
    """
    from analysis.qra import frequencies
    from analysis.scenarios import PRESSURISED_MIN_PA

    p = row.get("pressure_pa")
    pressurised = p is not None and not pd.isna(p) and float(p) >= PRESSURISED_MIN_PA
    if not pressurised or frequencies.equipment_type(row) == "atmospheric_tank":
        return float("nan")
    inst = [lc.frequency for lc in frequencies.loss_of_containment(row) if lc.instantaneous]
    return float(sum(inst)) if inst else float("nan")


def _primary_frequencies(
    rows: list[dict[str, Any]], ids: np.ndarray, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], float]:
    """Frequency of each primary event (unit, kind) from analysis.qra.frequencies.outcomes. [1/a]"""
    from analysis.qra import frequencies

    out: dict[tuple[str, str], float] = {}
    units = {u for u, _ in wanted}
    for row, uid in zip(rows, ids, strict=True):
        if uid not in units:
            continue
        for kind in _RUPTURE_KINDS:
            if (uid, kind) in wanted:
                try:
                    f = rupture_frequency(row)
                except (ValueError, KeyError, TypeError) as exc:
                    log.info("no G.1 frequency for %s: %s", uid, exc)
                    continue
                if np.isfinite(f):
                    out[(uid, kind)] = f
        try:
            outs = frequencies.outcomes(row)
        except (ValueError, KeyError, TypeError) as exc:
            log.info("no outcome frequencies for %s: %s", uid, exc)
            continue
        for o in outs:
            for kind, name in _OUTCOME_OF_KIND.items():
                if o.outcome == name and (uid, kind) in wanted:
                    out[(uid, kind)] = out.get((uid, kind), 0.0) + float(o.frequency)
    return out


def _secondary_frequencies(
    units: _Units, primary_events: pd.DataFrame, involvement: pd.DataFrame
) -> pd.DataFrame:
    """Step 5: the column ``frequency`` [1/a] of ``primary_events`` (added in place) and
    :attr:`analysis.domino.DominoResult.frequencies`, f_secondary = f_primary × p_involved, largest first."""
    events = list(zip(primary_events["source"], primary_events["scenario"], strict=True))
    f_primary = _primary_frequencies(units.rows, units.ids, set(events))
    primary_events["frequency"] = [f_primary.get(e, np.nan) for e in events]
    freq = involvement.merge(primary_events[["source", "scenario", "frequency"]], on=["source", "scenario"])
    freq = freq.rename(
        columns={
            "source": "primary_unit",
            "scenario": "primary_scenario",
            "frequency": "f_primary",
            "unit_id": "target",
            "p_level1": "p_escalation",
        }
    )
    freq["f_secondary_level1"] = freq["f_primary"] * freq["p_escalation"]
    freq["f_secondary"] = freq["f_primary"] * freq["p_involved"]
    return (
        freq[
            [
                "primary_unit",
                "primary_scenario",
                "f_primary",
                "target",
                "p_escalation",
                "p_involved",
                "f_secondary_level1",
                "f_secondary",
                "crosses_enterprise",
            ]
        ]
        .sort_values("f_secondary", ascending=False, na_position="last")
        .reset_index(drop=True)
    )
