"""Consequence models: source terms, fires, explosions and dispersion -> physical effects at points.

Every public function takes and returns SI units and broadcasts numpy arrays; each cites its source.
"""

from .dispersion import *  # noqa: F403
from .explosion import *  # noqa: F403
from .fire import *  # noqa: F403
from .source import *  # noqa: F403
from .vce import *  # noqa: F403
