"""Compatibility path of :mod:`analysis.physics.fire` (same names, same units)."""

from analysis.physics.fire import *  # noqa: F403
from analysis.physics.fire import __all__  # noqa: F401
