"""The stored results 园区一张图 draws, read once per version and shared by every session (:mod:`app.cache`).

- :func:`stored_results`: every stored result of a results target (a park GeoPackage, a results file beside it or
  PostGIS), read again only when one of them changed (its kind, time or inputs hash).
- :func:`stale_flags`: whether each is out of date (:func:`app.results.is_stale` on the full park), computed once
  per park version and result.
- :func:`overview_numbers`: the overview's header numbers, computed once per park view, day and park scores.
- :func:`overview_map`: the overview's map (park layers and result groups) as the arguments of its map component
  (:func:`app.mapping.component.component_args`), built once per park view, shown results and options.
- :func:`warm_up`: the stored results, their flags and a visitor's overview map for the configured park, off the
  request path (``app.main``'s start-up thread), so that the first visitor's overview does not wait for them.

No Streamlit here: the page shows errors and applies the user's redaction (:func:`app.results.for_user`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from app.cache import ParkVersion, shared

__all__ = ["stored_results", "visible_results", "stale_flags", "overview_map", "overview_numbers", "warm_up"]

log = logging.getLogger(__name__)


def stored_results(target: Any) -> dict[str, Any]:
    """Every stored result of ``target`` by kind (raw, not redacted: pass it through :func:`app.results.for_user`
    before drawing). Shared and read-only.

    Raises
    ------
    geodata.results.ResultStoreError, OSError, ValueError
        The store cannot be read.
    """
    from geodata.results import list_results, load_result

    metas = list_results(target)
    key = (
        str(target),
        tuple(sorted((k, m.computed_at.isoformat(), m.inputs_hash) for k, m in metas.items())),
    )

    def load() -> dict[str, Any]:
        out = {}
        for kind, *_ in key[1]:
            res = load_result(target, kind)
            if res is not None:
                out[kind] = res
        return out

    return shared("stored_results", max_entries=8).get_or_compute(key, load)


def visible_results(results: Mapping[str, Any], user: Any) -> dict[str, Any]:
    """``results`` as ``user`` may see them (:func:`app.results.for_user`), shared by every user with the same
    right to read sensitive figures (the redaction depends on nothing else), so their map layers are prepared once
    (:func:`app.mapping.results.add_result_layers`)."""
    from app import results as app_results
    from app.auth import may_read_sensitive

    if may_read_sensitive(user):
        return dict(results)
    cache = shared("stored_results_visible", max_entries=32)
    out = {}
    for kind, res in results.items():
        hit = cache.get_or_compute((kind, id(res)), lambda r=res: (r, app_results.for_user(user, r)))
        out[kind] = hit[1] if hit[0] is res else app_results.for_user(user, res)
    return out


def stale_flags(version: ParkVersion, full_park: Any, results: Mapping[str, Any]) -> dict[str, bool]:
    """Whether each stored result is out of date for the park ``full_park`` of file version ``version`` (its
    inputs hashed on the full park, never on a user's redacted view)."""
    from app import results as app_results

    cache = shared("stored_results_stale", max_entries=64)
    out = {}
    for kind, res in results.items():
        options = json.dumps(res.summary.get("options"), sort_keys=True, ensure_ascii=False, default=str)
        key = (version, kind, res.inputs_hash, options)
        out[kind] = bool(cache.get_or_compute(key, lambda r=res: app_results.is_stale(full_park, r)))
    return out


def overview_map(
    park: Any,
    results: Mapping[str, Any],
    *,
    stale: Mapping[str, bool],
    sensitive: bool,
    all_edges: bool = False,
    layers: Sequence[str],
    basemap: Any = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> tuple[list, dict[str, Any]]:
    """The overview's map of the park view ``park`` with the result groups of ``results`` (as the user may see
    them, :func:`visible_results`): the groups drawn (for the legend, :func:`app.mapping.results.add_result_layers`)
    and the arguments of the map component (:func:`app.mapping.component.draw`), framed on ``bounds`` [°] when given.

    Built once and shared by every session that shows the same objects with the same options. The key holds the
    park view and the results by identity — each user's view and redacted results are shared objects per kind of
    user (:func:`app.state.visible_park`, :func:`visible_results`) — so a map built for one kind of user is never
    returned for another: a user whose view is another object gets another map. Read-only.
    """
    from app.mapping import finish_map, park_map
    from app.mapping.component import component_args
    from app.mapping.focus import zoom_to
    from app.mapping.results import add_result_layers

    shown = tuple(results.items())
    key = (
        id(park),
        tuple((kind, id(res)) for kind, res in shown),
        tuple(sorted(stale.items())),
        bool(sensitive),
        bool(all_edges),
        tuple(layers),
        repr(basemap),
        None if bounds is None else tuple(float(v) for v in bounds),
    )

    def build() -> tuple[tuple, list, dict[str, Any]]:
        m = park_map(
            park, basemap=basemap, layers=list(layers), legends=False, layer_control=False,
            layer_control_collapsed=True, page_links=True,
        )  # fmt: skip
        groups = add_result_layers(
            m, dict(shown), stale=dict(stale), sensitive=sensitive, all_edges=all_edges
        )
        finish_map(m)
        if bounds is not None:
            zoom_to(m, bounds)
        return (park, *(res for _, res in shown)), groups, component_args(m)

    # the entry holds the objects of its key, so no other object can take their ids while it lives
    refs, groups, args = shared("overview_map", max_entries=16).get_or_compute(key, build)
    current = (park, *(res for _, res in shown))
    if len(refs) != len(current) or any(a is not b for a, b in zip(refs, current, strict=True)):
        refs, groups, args = build()  # never another object's map
    return groups, args


def overview_numbers(view: Any, park_scores: Mapping[str, float] | None = None) -> list:
    """The overview's header numbers of the park view ``view`` (:func:`app.park_overview.regulator_numbers`,
    :class:`app.state.ParkView`) today, computed once per park view, kind of user, day and park scores and shared:
    the view's park is one shared object per park file version and kind of user (:func:`app.state.visible_park`),
    so numbers computed for one kind of user are never returned for another. Read-only."""
    import datetime as dt

    from app.park_overview import regulator_numbers

    today = dt.date.today()
    scores = dict(park_scores or {})
    key = (id(view.park), view.redacted, view.user is None, today, tuple(sorted(scores.items())))
    refs, numbers = shared("overview_numbers", max_entries=16).get_or_compute(
        key, lambda: (view.park, regulator_numbers(view, today=today, park_scores=scores))
    )
    if refs is not view.park:  # the entry holds its view, so this cannot happen while it lives
        numbers = regulator_numbers(view, today=today, park_scores=scores)
    return numbers


def warm_up(
    park_path: Any,
    *,
    source_kind: str,
    coords: str,
    full_park: Any,
    visitor_park: Any = None,
    basemap: Any = None,
) -> None:
    """Read the stored results of the park at ``park_path`` and their out-of-date flags into the shared caches and,
    given ``visitor_park`` (the park as a visitor who has not signed in sees it), build the overview map a visitor
    opens first (every non-empty layer, the top domino edges, the whole park in view)."""
    from app import results as app_results
    from app.cache import file_version

    target = app_results.results_target(park_path, source_kind=source_kind)
    results = stored_results(target)
    stale = stale_flags(file_version(park_path, coords), full_park, results)
    log.debug("warm-up: %d stored results of %s", len(results), target)
    if visitor_park is not None:
        from geodata import schema

        layers = [n for n in visitor_park.layers if n in schema.LAYERS and not visitor_park.layers[n].empty]
        shown = visible_results(results, None)
        overview_map(visitor_park, shown, stale=stale, sensitive=False, layers=layers, basemap=basemap)
