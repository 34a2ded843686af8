"""Compatibility path of :mod:`analysis.physics.vce` (same names, same units)."""

from analysis.physics.vce import *  # noqa: F403
from analysis.physics.vce import __all__  # noqa: F401
