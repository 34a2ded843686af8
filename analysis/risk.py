"""Compatibility path of :mod:`analysis.qra.individual` (individual and societal risk; same names, same units)."""

from analysis.qra.individual import *  # noqa: F403
from analysis.qra.individual import __all__  # noqa: F401
