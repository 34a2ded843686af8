"""The outcome table of a risk run: every installation's LOCs through the one event tree, with their frequencies.

The generic loss-of-containment frequencies of :mod:`analysis.qra.frequencies` (with the user's per-unit overrides
and the domino-added frequencies merged in) go through the event tree of :mod:`analysis.qra.event_tree`; the
direct-ignition class of a continuous gas release is set by the source-term model of :mod:`analysis.scenarios`.

Domino-added frequencies (``analysis.domino`` result ``frequencies``: f_secondary per target unit) are added to the
target's catastrophic loss of containment (G.1, or the rupture of a pump / loading arm), which is then taken through
the target's own event tree (parkrisk's reading of an escalated failure: total loss of the target).

References
----------
.. [1] Committee for the Prevention of Disasters (1999). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), Sdu, The Hague: ch. 3 (LOC frequencies), ch. 4 (event trees).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.qra import frequencies as fq
from analysis.qra.event_tree import Outcome
from analysis.qra.options import RiskOptions, resolve_options

__all__ = ["outcome_table"]

log = logging.getLogger(__name__)


def release_rate(temperature_k: float) -> Callable[[Any, Any], float]:
    """Outflow of a continuous LOC [kg/s] from the source-term model (for the direct-ignition class)."""
    from analysis import scenarios as sc

    w = sc.WeatherClass(wind_speed=5.0, stability="D", temperature_k=temperature_k)

    def rate(row: Any, loc: Any) -> float:
        if not math.isfinite(loc.hole_diameter_m):
            if math.isfinite(loc.duration_s) and loc.duration_s > 0:
                return loc.mass_kg / loc.duration_s  # G.2: whole inventory over the fixed duration
            return 0.0
        st = sc.source_term(row, sc.Scenario("jet_fire", hole_diameter=loc.hole_diameter_m), w)
        return float(st.rate)

    return rate


def frequency_options(opts: RiskOptions, installations: pd.DataFrame) -> Any:
    """FrequencyOptions with the user's overrides and the domino-added frequencies merged in."""
    base = opts.frequency_options or fq.FrequencyOptions()
    ov = opts.frequency_overrides
    if ov is None:
        ov = base.overrides
    elif isinstance(ov, Mapping):
        ov = fq.FrequencyOverrides(
            frequencies=base.overrides.frequencies + fq.FrequencyOverrides.from_dict(dict(ov)).frequencies,
            equipment=base.overrides.equipment,
        )
    elif not isinstance(ov, fq.FrequencyOverrides):
        raise ValueError(
            "frequency_overrides must be a FrequencyOverrides or a mapping {(unit_id, loc): frequency [1/a]}, "
            f"not {type(ov).__name__}"
        )
    opt = replace(base, overrides=ov)
    dom = opts.domino_frequencies
    if dom is None or len(dom) == 0:
        return opt, {}
    added = dom.groupby(dom["target"].astype(str))["f_secondary"].sum()
    extra: list[tuple[str, str, float]] = []
    applied: dict[str, float] = {}
    rows = {str(r["unit_id"]): r for _, r in installations.iterrows()}
    for unit, f_add in added.items():
        if unit not in rows or not (f_add > 0):
            continue
        locs = fq.loss_of_containment(rows[unit], options=opt)
        key = next((lc for lc in locs if lc.loc == "G.1"), None) or next(
            (lc for lc in locs if lc.loc == "rupture"), None
        )
        if key is None:
            log.info("domino-added frequency of %s not applied: no catastrophic LOC", unit)
            continue
        extra.append((unit, key.loc, key.frequency + float(f_add)))
        applied[unit] = float(f_add)
    keep = tuple(t for t in ov.frequencies if (t[0], t[1]) not in {(u, k) for u, k, _ in extra})
    return replace(opt, overrides=fq.FrequencyOverrides(keep + tuple(extra), ov.equipment)), applied


def outcome_table(park: Any, *, options: RiskOptions | None = None, **overrides: Any) -> pd.DataFrame:
    """The outcomes of every installation (generic LOC frequencies through the event trees) used by the risk.

    Returns
    -------
    DataFrame
        Columns of :class:`analysis.qra.frequencies.Outcome`, plus ``status`` ("ok" / "skipped") and ``reason_zh``
        for installations without outcomes (not covered by the frequency source, unknown substance …), and
        ``domino_added`` [1/a] (the frequency added to the unit's catastrophic LOC).
    """
    opts = resolve_options(options, overrides)
    inst = park.metric("installations")
    if opts.units is not None:
        unknown = sorted(set(opts.units) - set(inst["unit_id"].astype(str)))
        if unknown:
            raise ValueError(
                f"units {unknown} are not installations of the park; valid: {list(inst['unit_id'])}"
            )
        inst = inst[inst["unit_id"].astype(str).isin(opts.units)]
    cols = list(Outcome.__dataclass_fields__)
    if opts.outcomes is not None:
        missing = [c for c in cols if c not in opts.outcomes.columns]
        if missing:
            raise ValueError(f"outcomes is missing columns {missing}; required: {cols}")
        df = opts.outcomes[cols].copy()
        df["status"], df["reason_zh"], df["domino_added"] = "ok", "", 0.0
        return df.reset_index(drop=True)
    fopt, applied = frequency_options(opts, inst)
    rate = release_rate(opts.temperature_k)
    recs: list[dict[str, Any]] = []
    hazards: dict[str, Any] = {}  # per substance: looked up once, not once per installation
    for _, row in inst.iterrows():
        uid = str(row["unit_id"])
        sub = str(row["substance"])
        if sub not in hazards:
            hazards[sub] = fq.substance_hazard(sub)
        try:
            outs = fq.outcomes(
                row,
                hazard=hazards[sub],
                release_rate=rate,
                frequency_options=fopt,
                event_tree=opts.event_tree,
            )
        except ValueError as exc:
            recs.append({"unit_id": uid, "status": "skipped", "reason_zh": f"无法生成事故场景：{exc}"})
            continue
        if not outs:
            recs.append(
                {
                    "unit_id": uid,
                    "status": "skipped",
                    "reason_zh": "通用泄漏频率来源（CPR 18E）未覆盖该类设施",
                }
            )
            continue
        for o in outs:
            recs.append(
                {**o.__dict__, "status": "ok", "reason_zh": "", "domino_added": applied.get(uid, 0.0)}
            )
    df = pd.DataFrame(recs)
    for c in [*cols, "status", "reason_zh", "domino_added"]:
        if c not in df.columns:
            df[c] = np.nan
    return df[[*cols, "status", "reason_zh", "domino_added"]]
