"""Regulation: GB 18218 (major hazards), GB 36894 / GB/T 37243 (siting and protection distances), 五室, findings
and the 一园一策 rectification records.

``gb18218`` and ``gb36894`` hold the standards' tables and are read by lower layers too (the event tree classifies a
substance by GB 18218; the risk contours use GB 36894's levels); the other modules apply the standards to results.
"""
