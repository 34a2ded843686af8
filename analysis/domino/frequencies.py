"""Frequencies of the primary events and of the secondary events that escalation adds, for the risk engine.

A primary event (unit, scenario) has the frequency of its outcome in :func:`analysis.qra.frequencies.outcomes`
(Purple Book loss-of-containment frequencies × event tree [1]_), summed per unit and outcome; NaN where not covered
(vessel burst, kinds without LOC data). A target involved with probability p (first level: the escalation
probability; all levels: the Monte Carlo involvement) adds the secondary-event frequency f_primary × p, which
:func:`analysis.qra.individual.individual_risk` adds to the target's own frequency (``domino_frequencies``).

References
----------
.. [1] CPR 18E (2005). Guidelines for quantitative risk assessment ("Purple Book"). Sdu Uitgevers, The Hague
   (Ch. 3: loss-of-containment events and frequencies; Ch. 4: event trees).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from analysis.domino.units import _Units

log = logging.getLogger(__name__)

_OUTCOME_OF_KIND = {"pool_fire": "pool_fire", "jet_fire": "jet_fire", "fireball": "fireball", "vce": "vce"}


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
