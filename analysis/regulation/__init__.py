"""Regulation: GB 18218 (major hazards), GB 36894 / GB/T 37243 (siting and protection distances), 五室, findings
and the 一园一策 rectification records.

``gb18218`` and ``gb36894`` hold the standards' tables and are read by lower layers too (the event tree classifies a
substance by GB 18218; the risk contours use GB 36894's levels); the other modules apply the standards to results.
``key_chemicals`` holds the key supervised chemicals lists (安监总管三〔2011〕95号, 〔2013〕12号); ``key_supervision`` the
两重点一重大 table; ``enterprise_risk`` the enterprise safety-risk score and colour (应急〔2018〕19号).
"""

# The public functions of the regulator's picture (issue 18) are loaded on first use (PEP 562), so that importing
# ``analysis.regulation.gb18218`` from a lower layer does not load the modules that apply the standards.
_EXPORTS: dict[str, str] = {
    "key_chemical": "key_chemicals",
    "key_chemical_entry": "key_chemicals",
    "two_key_one_major": "key_supervision",
    "enterprise_colour": "enterprise_risk",
    "enterprise_score": "enterprise_risk",
    "forced_red": "enterprise_risk",
    "park_grade": "park_grading",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module == "key_chemicals":
        from analysis.regulation import key_chemicals as mod
    elif module == "key_supervision":
        from analysis.regulation import key_supervision as mod
    elif module == "enterprise_risk":
        from analysis.regulation import enterprise_risk as mod
    elif module == "park_grading":
        from analysis.regulation import park_grading as mod
    else:
        raise AttributeError(f"module 'analysis.regulation' has no attribute {name!r}")
    value = getattr(mod, name)
    globals()[name] = value
    return value
