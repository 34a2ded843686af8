"""Compatibility path of :mod:`analysis.physics.dispersion` (same names, same units)."""

from analysis.physics.dispersion import *  # noqa: F403
from analysis.physics.dispersion import __all__  # noqa: F401
