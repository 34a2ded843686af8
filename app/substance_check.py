"""The one substance check every park loader of the app and the CLI passes to :func:`geodata.load_park`.

``geodata`` never imports the substance database (:mod:`analysis.physics.substances`); the callers pass this hook
in, so the app's pages and every ``parkrisk`` command refuse the same unknown substances with the same message (an
error naming the layer, the row, the value and the closest known names).
"""

from __future__ import annotations

from functools import lru_cache

from geodata.validate import SubstanceLookup

__all__ = ["substance_lookup"]


@lru_cache(maxsize=1)
def substance_lookup() -> SubstanceLookup:
    """``known(name) -> bool`` and ``closest(name)`` of the bundled substance database."""
    from analysis.physics import substances

    return SubstanceLookup(substances.known, substances.closest_names)
