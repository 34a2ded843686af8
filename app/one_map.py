"""The stored results 园区一张图 draws, read once per version and shared by every session (:mod:`app.cache`).

- :func:`stored_results`: every stored result of a results target (a park GeoPackage, a results file beside it or
  PostGIS), read again only when one of them changed (its kind, time or inputs hash).
- :func:`stale_flags`: whether each is out of date (:func:`app.results.is_stale` on the full park), computed once
  per park version and result.
- :func:`warm_up`: both for the configured park, off the request path (``app.main``'s start-up thread), so that
  the first visitor's overview does not wait for them.

No Streamlit here: the page shows errors and applies the user's redaction (:func:`app.results.for_user`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from app.cache import ParkVersion, shared

__all__ = ["stored_results", "visible_results", "stale_flags", "warm_up"]

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


def warm_up(park_path: Any, *, source_kind: str, coords: str, full_park: Any) -> None:
    """Read the stored results of the park at ``park_path`` and their out-of-date flags into the shared caches."""
    from app import results as app_results
    from app.cache import file_version

    target = app_results.results_target(park_path, source_kind=source_kind)
    results = stored_results(target)
    stale_flags(file_version(park_path, coords), full_park, results)
    log.debug("warm-up: %d stored results of %s", len(results), target)
