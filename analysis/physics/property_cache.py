"""thermo's property values of a substance, memoised in memory and kept on disk between processes.

A substance record (:func:`analysis.physics.substances.get`) takes its physical properties from the ``thermo`` and
``chemicals`` libraries (Bell et al.), which in a fresh process cost seconds: thermo's first use imports CoolProp
(1.3–1.8 s with the interpreter lock held) and reads chemicals' data tables. Every value a record takes from them —
its fixed values (molar mass, critical constants, ideal-gas heat capacity, the names of the methods used …) and
each temperature-dependent value asked for (vapour pressure at 293.15 K …) — is kept in a small JSON file per
substance and read back **exactly** (floats are written as ``repr``, temperatures as ``float.hex``), so a later
process needs no property library for the values it already has; a value not on disk is computed through thermo
(imported then) and added to the file.

Where: the folder named by the environment variable ``PARKRISK_CACHE_DIR`` (:data:`CACHE_ENV`), else the user's
cache folder (``platformdirs.user_cache_dir("parkrisk")`` when platformdirs is installed, else
``~/.cache/parkrisk``), in ``substances-v1/<key>/``. ``PARKRISK_CACHE_DIR=off`` (or ``none``, ``0``, ``false``,
``no``) switches the cache off: every value is computed through thermo, as without a cache.

Key (:func:`version_key`): the versions of thermo, chemicals, CoolProp, fluids, numpy and scipy and of Python, and a
SHA-256 of the bundled substance table (``analysis/data/substances.csv``) and of the code that computes the values
(``substances.py`` and this module): a new library version or an edited table or formula starts a new folder (the
:data:`KEEP_VERSIONS` most recently used are kept, older ones removed).

Safety: a file is written to a temporary file in the same folder and renamed over the old one (``os.replace``,
atomic on POSIX and Windows), the temporary file removed when the write fails; each file holds the SHA-256 of its
contents. A file that cannot be read, does not parse, has another key or a wrong checksum is ignored (the values are
computed through thermo as without a cache); a folder that cannot be written is skipped. No cache error is raised
and none changes a result. Processes writing the same file at once each merge what is on disk with their own values
before writing; a value lost in such a race is computed again later. At most :data:`MAX_VALUES` temperatures are
kept per property and substance.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from analysis._data import DATA_DIR

logger = logging.getLogger(__name__)

__all__ = [
    "CACHE_ENV",
    "DISABLED_VALUES",
    "KEEP_VERSIONS",
    "LIBRARIES",
    "MAX_VALUES",
    "PropertyRecord",
    "ThermoProps",
    "cache_folder",
    "cache_root",
    "thermo_record",
    "version_key",
]

#: Environment variable naming the cache folder (or switching the cache off with one of :data:`DISABLED_VALUES`).
CACHE_ENV = "PARKRISK_CACHE_DIR"
DISABLED_VALUES = frozenset({"off", "none", "0", "false", "no"})
#: Distributions whose versions are part of the key (the property libraries and what their numbers go through).
LIBRARIES = ("thermo", "chemicals", "CoolProp", "fluids", "numpy", "scipy")
MAX_VALUES = 512  # temperatures kept on disk per property and substance
KEEP_VERSIONS = 4  # version folders kept (the most recently written)
_FORMAT = 1
_SUBDIR = f"substances-v{_FORMAT}"
#: Files whose contents compute the cached values: the bundled table, the record builder and this module.
_CODE_FILES = (DATA_DIR / "substances.csv", Path(__file__).with_name("substances.py"), Path(__file__))
_PROPS = (
    "vapour_pressure",
    "liquid_density",
    "liquid_heat_capacity",
    "vapour_density",
    "heat_of_vaporisation",
)


def cache_root() -> Path | None:
    """The cache folder, or None when the cache is switched off (``PARKRISK_CACHE_DIR=off``)."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() in DISABLED_VALUES:
        return None
    if value:
        return Path(value).expanduser()
    try:
        import platformdirs
    except ImportError:
        return Path.home() / ".cache" / "parkrisk"
    return Path(platformdirs.user_cache_dir("parkrisk", appauthor=False))


def cache_folder() -> Path | None:
    """The folder of this version's records (``<cache root>/substances-v1/<key>``), None when switched off or when
    no folder can be named (no home folder, code files not readable as files)."""
    try:
        root = cache_root()
        return None if root is None else root / _SUBDIR / version_key()
    except (OSError, RuntimeError) as exc:  # Path.home() without a home; code inside a zip archive
        logger.info("property cache off: %s", exc)
        return None


def _versions() -> dict[str, str]:
    """Installed versions of :data:`LIBRARIES` ("absent" for one not installed), read without importing them."""
    from importlib import metadata

    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


@lru_cache(maxsize=1)
def version_key() -> str:
    """The key of the cached values: library and Python versions, hashes of the table and code (hex, 24 digits)."""
    code = hashlib.sha256()
    for path in _CODE_FILES:
        code.update(path.read_bytes())
    what = {
        "format": _FORMAT,
        "python": list(sys.version_info[:3]),
        "versions": _versions(),
        "code": code.hexdigest(),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:24]


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _valid_values(values: Any) -> bool:
    return isinstance(values, dict) and all(
        p in _PROPS
        and isinstance(by_t, dict)
        and all(isinstance(k, str) and type(v) is float for k, v in by_t.items())
        for p, by_t in values.items()
    )


def _read(path: Path, key: str) -> dict | None:
    """The payload of a cache file ({"fixed": dict | None, "values": {prop: {T hex: value}}}), None when absent or
    unusable (unreadable, not JSON, another key, wrong checksum, wrong shape)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        payload = doc["payload"]
        if doc["key"] != key or doc["digest"] != _digest(payload):
            logger.info("property cache %s: other key or wrong checksum, ignored", path)
            return None
        fixed, values = payload["fixed"], payload["values"]
        if (fixed is not None and not isinstance(fixed, dict)) or not _valid_values(values):
            return None
        return payload
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:  # unreadable or corrupt: ignored
        logger.info("property cache %s unusable, ignored: %s", path, exc)
        return None


def _prune(folder: Path) -> None:
    """Remove all but the :data:`KEEP_VERSIONS` most recently written version folders beside ``folder``."""
    try:
        others = sorted(
            (p for p in folder.parent.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
        )
    except OSError:
        return
    for old in others[KEEP_VERSIONS:]:
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)


def _write(path: Path, key: str, payload: dict) -> None:
    """Write a cache file atomically (temporary file in the same folder, then ``os.replace``); errors are logged."""
    text = json.dumps({"key": key, "digest": _digest(payload), "payload": payload}, sort_keys=True)
    tmp = None
    try:
        new = not path.parent.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        if new:
            _prune(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:  # read-only or full disk, a file where the folder should be …: skipped
        logger.info("property cache %s not written: %s", path, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                logger.info("property cache: temporary file %s not removed", tmp)


class PropertyRecord:
    """The values one substance takes from the property libraries: fixed values and values per temperature.

    Parameters
    ----------
    name : str
        The substance key (file name of its record).
    """

    def __init__(self, name: str) -> None:
        folder = cache_folder()
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", name)
        self._path = None if folder is None else folder / f"{safe}.json"
        self._lock = threading.Lock()
        self.fixed: dict | None = None
        self._values: dict[str, dict[float, float]] = {p: {} for p in _PROPS}
        payload = None if self._path is None else _read(self._path, version_key())
        if payload is not None:
            self.fixed = payload["fixed"]
            self._merge(payload["values"])

    def __getstate__(self) -> dict:
        # a copy sent to another process (pickle) keeps its values in memory and writes no file there
        return {k: v for k, v in self.__dict__.items() if k != "_lock"} | {"_path": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _merge(self, values: dict) -> None:
        for prop, by_t in values.items():
            mine = self._values[prop]
            for t_hex, v in by_t.items():
                if len(mine) >= MAX_VALUES:
                    break
                mine.setdefault(float.fromhex(t_hex), v)

    def get(self, prop: str, temperature: float) -> float | None:
        """The stored value of ``prop`` at ``temperature`` [K], None when not stored."""
        return self._values[prop].get(temperature)

    def put(self, prop: str, temperature: float, value: float) -> bool:
        """Keep a computed value in memory while fewer than :data:`MAX_VALUES` are kept (:meth:`save` writes them);
        True when it was added. Under the record's lock: :meth:`save` walks the same dicts in another thread (records
        are shared by the server's threads)."""
        with self._lock:
            mine = self._values[prop]
            if temperature in mine or len(mine) >= MAX_VALUES:
                return False
            mine[temperature] = value
            return True

    def set_fixed(self, fixed: dict) -> None:
        """Store the fixed values (JSON types only: str, float, None)."""
        self.fixed = fixed
        self.save()

    def save(self) -> None:
        """Merge what is on disk with this record's values and write the file (nothing when the cache is off)."""
        if self._path is None:
            return
        with self._lock:
            disk = _read(self._path, version_key())
            if disk is not None:
                self._merge(disk["values"])
                if self.fixed is None:
                    self.fixed = disk["fixed"]
            values = {p: {t.hex(): v for t, v in by_t.items()} for p, by_t in self._values.items() if by_t}
            _write(self._path, version_key(), {"fixed": self.fixed, "values": values})


def _div(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


class ThermoProps:
    """Vectorised temperature-dependent properties of one substance from thermo's property objects, each value
    memoised in a :class:`PropertyRecord` (thermo is loaded on the first value not stored).

    Parameters
    ----------
    record : PropertyRecord
    molar_mass : float
        [kg/mol]
    critical_temperature : float
        Of thermo's ``Chemical`` (the limit of its vapour pressure). [K]
    property_cas : str
        CAS number of thermo's ``Chemical``, made on the first value not stored.
    chemical : thermo.Chemical or None
        That ``Chemical`` when already made.
    vapour_pressure_override : callable or None
        Vapour pressure [Pa] of temperature [K] used instead of thermo's.
    """

    def __init__(
        self,
        record: PropertyRecord,
        molar_mass: float,
        critical_temperature: float,
        property_cas: str,
        chemical: Any = None,
        vapour_pressure_override: Callable | None = None,
    ) -> None:
        self._record = record
        self._mw = molar_mass
        self._tc = critical_temperature
        self._cas = property_cas
        self._chem = chemical
        self._vp_override = vapour_pressure_override
        self._objects: tuple | None = None

    def __getstate__(self) -> dict:
        # thermo's objects are made again where needed; the values stay with the record
        return self.__dict__ | {"_chem": None, "_objects": None}

    def _thermo(self) -> tuple:
        """thermo's (VaporPressure, VolumeLiquid, HeatCapacityLiquid, EnthalpyVaporization, VolumeGas) objects."""
        if self._objects is None:
            chem = self._chem = _chemical(self._cas) if self._chem is None else self._chem
            vg = chem.VolumeGas
            if "EOS" in vg.all_methods_P:
                vg.method_P = (
                    "EOS"  # cubic EOS (Peng-Robinson in thermo) instead of thermo's ideal-gas default
                )
            self._objects = (
                chem.VaporPressure,
                chem.VolumeLiquid,
                chem.HeatCapacityLiquid,
                chem.EnthalpyVaporization,
                vg,
            )
        return self._objects

    def _vectorise(self, prop: str, fn: Callable[[float], float | None], temperature):
        t = np.asarray(temperature, dtype=float)

        added = []

        def one(x: float) -> float:
            if not np.isfinite(x) or x <= 0:
                return math.nan
            x = float(x)
            v = self._record.get(prop, x)
            if v is None:
                got = fn(x)
                v = math.nan if got is None else float(got)
                added.append(self._record.put(prop, x, v))
            return v

        out = np.vectorize(one, otypes=[float])(t)
        if any(added):
            self._record.save()  # once per call, not once per value
        return out if out.ndim else float(out)

    def _psat(self, t: float) -> float | None:
        if self._vp_override is not None:
            return float(self._vp_override(t))
        return self._thermo()[0].T_dependent_property(t)

    def vapour_pressure(self, temperature):
        """[Pa] at temperature [K]; NaN above the critical temperature (not thermo's extrapolation)."""
        return self._vectorise(
            "vapour_pressure", lambda t: None if t > self._tc else self._psat(t), temperature
        )

    def liquid_density(self, temperature):
        """[kg/m³] at temperature [K]: M / Vm (thermo returns the molar volume [m³/mol])."""
        return self._vectorise(
            "liquid_density", lambda t: _div(self._mw, self._thermo()[1].T_dependent_property(t)), temperature
        )

    def liquid_heat_capacity(self, temperature):
        """[J/(kg·K)] at temperature [K] (thermo returns J/(mol·K); divided by M [kg/mol])."""
        return self._vectorise(
            "liquid_heat_capacity",
            lambda t: _div(self._thermo()[2].T_dependent_property(t), self._mw),
            temperature,
        )

    def saturated_vapour_density(self, temperature):
        """[kg/m³] at temperature [K] and its vapour pressure (M / Vm of thermo's VolumeGas); NaN above Tc."""

        def one(t: float) -> float | None:
            if t > self._tc:
                return None
            p = self._psat(t)
            return None if p is None else _div(self._mw, self._thermo()[4].TP_dependent_property(t, p))

        return self._vectorise("vapour_density", one, temperature)

    def heat_of_vaporisation(self, temperature):
        """[J/kg] at temperature [K]; 0 at and above the critical temperature (thermo returns J/mol)."""

        def one(t: float) -> float | None:
            if t >= self._tc:
                return 0.0
            return _div(self._thermo()[3].T_dependent_property(t), self._mw)

        return self._vectorise("heat_of_vaporisation", one, temperature)


# --------------------------------------------------------------------------- values from thermo and chemicals
_T_IDEAL_GAS = 298.15  # standard state of the ideal-gas heat capacity behind the heat-capacity ratio [K]


@lru_cache(maxsize=1)
def _thermo_version() -> str:
    import thermo

    return str(thermo.__version__)


# Handbook compilations are preferred to thermo's default (a CoolProp/HEOS fit, which for chlorine gives
# Pc = 7.64 MPa against 7.99 MPa in CRC/NIST); the method used is recorded in Substance.sources.
_TB_PREF = ("CRC_INORG", "CRC_ORG", "COMMON_CHEMISTRY", "YAWS", "WEBBOOK")
_CRIT_PREF = ("IUPAC", "CRC", "WEBBOOK", "MATTHEWS", "PSRK")


def _pick(fn, methods_fn, cas, pref, fallback):
    methods = methods_fn(cas)
    for m in pref:
        if m in methods:
            v = fn(cas, method=m)
            if v is not None:
                return float(v), m
    return float(fallback), "thermo default"


def _constants(cas, chem):
    from chemicals.critical import Pc, Pc_methods, Tc, Tc_methods
    from chemicals.phase_change import Tb, Tb_methods

    return (
        _pick(Tb, Tb_methods, cas, _TB_PREF, chem.Tb),
        _pick(Tc, Tc_methods, cas, _CRIT_PREF, chem.Tc),
        _pick(Pc, Pc_methods, cas, _CRIT_PREF, chem.Pc),
    )


def _needs(r: dict[str, str]) -> tuple[bool, bool]:
    """Whether a row takes its heat of combustion, and its flammability limits, from thermo/chemicals."""
    flammable = r["flammable"] == "1"
    return flammable and not r["hc_lower_j_kg"].strip(), flammable and not r["lfl"].strip()


_FIXED_FLOATS = ("molar_mass", "thermo_tc", "tb", "tc", "pc", "cp_ig")
_FIXED_TEXTS = (
    "version",
    "tb_method",
    "tc_method",
    "pc_method",
    "vp_method",
    "vl_method",
    "cpl_method",
    "hvap_method",
    "cpg_method",
)


def _thermo_fixed(r: dict[str, str], chem) -> dict:
    """Every fixed value the record of a substances.csv row takes from thermo/chemicals, as JSON types (floats are
    kept exactly by :mod:`analysis.physics.property_cache`): molar mass [kg/mol], thermo's Tc [K], Tb, Tc [K] and Pc
    [Pa] with their methods, the ideal-gas heat capacity at 298.15 K [J/(mol·K)], the methods of the
    temperature-dependent properties and, where the row has none, the lower heat of combustion [J/kg] and the
    flammability limits [volume fraction]."""
    pcas = r["property_cas"]
    (tb, tb_m), (tc, tc_m), (pc, pc_m) = _constants(pcas, chem)
    fixed = {
        "version": f"thermo {_thermo_version()} Chemical('{pcas}')",
        "molar_mass": float(chem.MW / 1000.0),  # g/mol -> kg/mol
        "thermo_tc": float(chem.Tc),
        "tb": tb,
        "tb_method": tb_m,
        "tc": tc,
        "tc_method": tc_m,
        "pc": pc,
        "pc_method": pc_m,
        "cp_ig": float(chem.HeatCapacityGas.T_dependent_property(_T_IDEAL_GAS)),  # J/(mol·K)
        "vp_method": f"{chem.VaporPressure.method}",
        "vl_method": f"{chem.VolumeLiquid.method}",
        "cpl_method": f"{chem.HeatCapacityLiquid.method}",
        "hvap_method": f"{chem.EnthalpyVaporization.method}",
        "cpg_method": f"{chem.HeatCapacityGas.method}",
    }
    need_hc, need_limits = _needs(r)
    if need_hc:
        fixed["hc_lower"] = -float(chem.Hc_lower)  # thermo: negative lower heat of combustion [J/kg]
    if need_limits:
        from chemicals.safety import LFL, UFL, LFL_methods

        lfl_v, ufl_v = LFL(CASRN=pcas), UFL(CASRN=pcas)
        fixed["lfl"] = math.nan if lfl_v is None else float(lfl_v)
        fixed["ufl"] = math.nan if ufl_v is None else float(ufl_v)
        methods = LFL_methods(CASRN=pcas)
        fixed["lfl_method"] = f"{methods[0] if methods else 'none'}"
    return fixed


def _usable(fixed: object, r: dict[str, str]) -> bool:
    """True when cached fixed values hold every value the row needs, with the right types."""
    if not isinstance(fixed, dict):
        return False
    need_hc, need_limits = _needs(r)
    floats = _FIXED_FLOATS + ("hc_lower",) * need_hc + ("lfl", "ufl") * need_limits
    texts = _FIXED_TEXTS + ("lfl_method",) * need_limits
    return all(type(fixed.get(k)) is float for k in floats) and all(type(fixed.get(k)) is str for k in texts)


def _chemical(pcas: str):
    """thermo's ``Chemical`` of a CAS number (its first use imports CoolProp)."""
    from thermo import Chemical

    return Chemical(pcas, T=_T_IDEAL_GAS)


def thermo_record(
    key: str, r: dict[str, str], vapour_pressure_override: Callable | None = None
) -> tuple[dict, ThermoProps]:
    """What the record of a substances.csv row takes from thermo/chemicals: its fixed values
    (:func:`_thermo_fixed`) and its temperature-dependent properties, from the cache when it holds them (no property
    library loaded), else through thermo (then stored in the cache).

    Parameters
    ----------
    key : str
        The substance key (``"chlorine"``).
    r : dict
        Its row of ``analysis/data/substances.csv``.
    vapour_pressure_override : callable or None
        Vapour pressure [Pa] of temperature [K] used instead of thermo's.
    """
    pcas = r["property_cas"]
    record = PropertyRecord(key)
    fixed, chem = record.fixed, None
    if not _usable(fixed, r):
        chem = _chemical(pcas)
        fixed = _thermo_fixed(r, chem)
        record.set_fixed(fixed)
    return fixed, ThermoProps(
        record, fixed["molar_mass"], fixed["thermo_tc"], pcas, chem, vapour_pressure_override
    )
