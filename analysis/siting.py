"""Compatibility path of :mod:`analysis.regulation.gb36894` (GB 36894 limits and compliance; same names, same units)."""

from analysis.regulation.gb36894 import *  # noqa: F403
from analysis.regulation.gb36894 import __all__  # noqa: F401
