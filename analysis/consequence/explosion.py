"""Compatibility path of :mod:`analysis.physics.explosion` (same names, same units)."""

from analysis.physics.explosion import *  # noqa: F403
from analysis.physics.explosion import __all__  # noqa: F401
