"""Key supervised hazardous chemicals (重点监管的危险化学品): the lists and the one matching rule.

The lists are bundled as ``analysis/data/key_supervised_chemicals_2011_2013.csv``: the first batch of 60 entries with
CAS numbers [1]_ and, of the second batch of 14 [2]_, the four entries that could be verified in a public copy (the
other ten are not listed; the file says so). A substance is a key supervised chemical when its CAS number or one of
its names (Chinese, English, the list's aliases) is on the list, directly or after resolving it through the substance
layer (:func:`analysis.physics.substances.table_names`: its CAS, Chinese and English names and aliases). A name neither the
list nor the substance layer knows is not on the list (``False``): the list is closed, unlike GB 18218's
classification, where an unknown substance fails closed.

References
----------
.. [1] 国家安全监管总局 (2011). 关于公布首批重点监管的危险化学品名录的通知, 安监总管三〔2011〕95号, 附件.
.. [2] 国家安全监管总局 (2013). 关于公布第二批重点监管危险化学品名录的通知, 安监总管三〔2013〕12号, 附件.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis._data import DATA_DIR
from analysis.errors import UnknownSubstanceError
from analysis.physics import substances

__all__ = ["KEY_CHEMICALS_FILE", "KeyChemical", "key_chemical", "key_chemical_entry", "key_chemicals_table"]

#: The bundled list (named after its sources).
KEY_CHEMICALS_FILE = DATA_DIR / "key_supervised_chemicals_2011_2013.csv"
_CAS = re.compile(r"^\d{2,7}-\d{2}-\d$")


@dataclass(frozen=True)
class KeyChemical:
    """One entry of the lists.

    Attributes
    ----------
    batch : int
        1 (2011) or 2 (2013).
    name_zh, name_en : str
    cas : str
        Empty for crude oil (no CAS in the list).
    verified : bool
        False when the CAS number was not shown in the copy read (see the file's note).
    """

    batch: int
    name_zh: str
    name_en: str
    cas: str
    verified: bool


def _norm(name: object) -> str:
    s = str(name).strip().lower()
    s = s.replace("，", ",").replace("（", "(").replace("）", ")").replace("－", "-").replace("’", "'")
    return re.sub(r"\s+", "", s)


@lru_cache(maxsize=1)
def key_chemicals_table() -> pd.DataFrame:
    """The bundled lists: ``batch``, ``no``, ``name_zh``, ``name_en``, ``cas``, ``aliases``, ``verified``, ``note``."""
    with KEY_CHEMICALS_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))
    df = pd.DataFrame(rows)
    df["batch"] = df["batch"].astype(int)
    df["verified"] = df["verified"].astype(int).astype(bool)
    return df


@lru_cache(maxsize=1)
def _index() -> dict[str, int]:
    """Normalised CAS or name -> row of :func:`key_chemicals_table`."""
    idx: dict[str, int] = {}
    for i, r in key_chemicals_table().iterrows():
        names = [r["cas"], r["name_zh"], *r["name_en"].split(";"), *r["aliases"].split(";")]
        for n in names:
            if n.strip():
                idx.setdefault(_norm(n), int(i))
    return idx


def _entry(row: int) -> KeyChemical:
    r = key_chemicals_table().iloc[row]
    return KeyChemical(int(r["batch"]), r["name_zh"], r["name_en"], r["cas"], bool(r["verified"]))


def key_chemical_entry(substance: str) -> KeyChemical | None:
    """The list entry a substance (CAS number, Chinese or English name, alias) matches, or None.

    The name is looked up in the list first, then resolved through :mod:`analysis.physics.substances` and its CAS
    number and names are looked up (so ``"液氯"``, ``"氯气"``, ``"chlorine"`` and ``"7782-50-5"`` all match entry 1).
    """
    if substance is None or (isinstance(substance, float) and substance != substance):
        return None
    idx = _index()
    hit = idx.get(_norm(substance))
    if hit is not None:
        return _entry(hit)
    try:
        names = substances.table_names(str(substance))  # the bundled table: no property library loaded
    except UnknownSubstanceError:
        return None
    for n in names:
        hit = idx.get(_norm(n))
        if hit is not None:
            return _entry(hit)
    return None


def key_chemical(substance: str) -> bool:
    """Whether a substance is a key supervised hazardous chemical (first batch [1]_ or verified second batch [2]_).

    Parameters
    ----------
    substance : str
        CAS number (``"7782-50-5"``), Chinese name (``"液氯"``) or English name (``"chlorine"``).

    Returns
    -------
    bool
        ``True`` for chlorine, ammonia, methanol, LPG, benzene …; ``False`` for water, nitrogen and any name that
        neither the list nor the substance layer knows.

    References
    ----------
    .. [1] 安监总管三〔2011〕95号.
    .. [2] 安监总管三〔2013〕12号.
    """
    return key_chemical_entry(substance) is not None


def is_cas(text: str) -> bool:
    """Whether ``text`` has the form of a CAS registry number (digits-digits-digit)."""
    return bool(_CAS.match(str(text).strip()))
