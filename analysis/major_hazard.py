"""Compatibility path of :mod:`analysis.regulation.gb18218` (GB 18218 identification and grading; same names, same units)."""

from analysis.regulation.gb18218 import *  # noqa: F403
from analysis.regulation.gb18218 import __all__  # noqa: F401
