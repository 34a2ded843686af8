"""Compatibility path of :mod:`analysis.physics.source` (same names, same units)."""

from analysis.physics.source import *  # noqa: F403
from analysis.physics.source import __all__  # noqa: F401
