"""The park's own copy of the GB 36894-2018 societal-risk (F-N) line constants, stored in its GeoPackage.

The constants of the GB 36894-2018 F-N lines could not be verified in any public copy of the standard. A user who
holds the standard enters them once from their copy; they are stored with the park in a small non-spatial table
(GeoPackage ``attributes``) ``fn_criterion`` of field/value pairs (:data:`FN_FIELDS`), and every later run shows
them as confirmed by that user. geodata checks them as plain numbers; :mod:`analysis.qra.fn_settings` turns them
into a criterion.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from geodata._atomic import write_into_gpkg
from geodata.errors import ParkDataError
from geodata.validate import Problem, ValidationReport

__all__ = [
    "FN_CRITERION_TABLE",
    "FN_FIELDS",
    "check_fn_record",
    "fn_problems_zh",
    "read_fn_criterion",
    "save_fn_criterion",
    "copy_fn_criterion",
]

FN_CRITERION_TABLE = "fn_criterion"
#: Fields of the table: name -> (Chinese label, unit, numeric, required).
FN_FIELDS: dict[str, tuple[str, str, bool, bool]] = {
    "upper_c": ("上限线（不可接受线）在 N = 1 处的频率 C", "/年", True, True),
    "lower_c": ("下限线（可接受线）在 N = 1 处的频率 C", "/年", True, True),
    "slope": ("斜率 k（F = C / N^k）", "-", True, True),
    "n_min": ("判据线起点 N", "人", True, True),
    "n_max": ("判据线终点 N", "人", True, True),
    "confirmed_by": ("核对人", "", False, True),
    "document": ("所据标准文本（版本、条款或图号）", "", False, True),
    "confirmed_on": ("核对日期", "", False, False),
}


def _p(col: str, value: object, msg: str, fix: str, kind: str) -> Problem:
    return Problem(FN_CRITERION_TABLE, None, col, value, msg, fix, "error", kind)


def check_fn_record(record: Mapping[str, object]) -> dict[str, object]:
    """The record with numbers as float, or ParkDataError listing every problem (field, value, fix) at once."""
    problems: list[Problem] = []
    out: dict[str, object] = {}
    for name, (label, unit, numeric, required) in FN_FIELDS.items():
        v = record.get(name)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                problems.append(_p(name, None, f"缺少「{label}」", "请填写该项", "missing_value"))
            continue
        if numeric:
            try:
                x = float(v)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                x = math.nan
            if not (math.isfinite(x) and x > 0):
                problems.append(
                    _p(name, v, f"「{label}」= {v!r} 无效", f"应为大于 0 的有限数（{unit}）", "bad_type")
                )
                continue
            out[name] = x
        else:
            out[name] = str(v).strip()
    if not problems:
        if out["lower_c"] >= out["upper_c"]:  # type: ignore[operator]
            msg = f"下限线 C = {out['lower_c']:g} /年不小于上限线 C = {out['upper_c']:g} /年"
            problems.append(_p("lower_c", out["lower_c"], msg, "请按标准文本核对两条线的常数", "implausible"))
        if out["n_min"] >= out["n_max"]:  # type: ignore[operator]
            msg = f"判据线终点 N = {out['n_max']:g} 不大于起点 N = {out['n_min']:g}"
            problems.append(_p("n_max", out["n_max"], msg, "请按标准文本核对 N 的范围", "implausible"))
    if problems:
        report = ValidationReport(tuple(problems), source=FN_CRITERION_TABLE)
        raise ParkDataError(report.to_text_zh(max_per_group=10), report=report)
    return out


def read_fn_criterion(path: str | os.PathLike | None) -> dict[str, object] | None:
    """The F-N constants stored in a GeoPackage (checked), or None when the park (or ``path``) has none."""
    if path is None:
        return None
    p = Path(path)
    if p.suffix.lower() != ".gpkg" or not p.is_file():
        return None
    con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    try:
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if FN_CRITERION_TABLE not in have:
            return None
        record = dict(con.execute(f"SELECT field, value FROM {FN_CRITERION_TABLE}").fetchall())
    finally:
        con.close()
    return check_fn_record(record)


def _write(path: Path, rec: Mapping[str, object]) -> None:
    """Replace the table in a GeoPackage in one SQLite transaction (registered as ``attributes``)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    con = sqlite3.connect(path)
    try:
        with con:  # one transaction: all or nothing
            con.execute(f"DROP TABLE IF EXISTS {FN_CRITERION_TABLE}")
            con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (FN_CRITERION_TABLE,))
            con.execute(f"CREATE TABLE {FN_CRITERION_TABLE} (field TEXT PRIMARY KEY, value TEXT)")
            con.executemany(
                f"INSERT INTO {FN_CRITERION_TABLE} VALUES (?, ?)",
                [(k, repr(v) if isinstance(v, float) else str(v)) for k, v in rec.items()],
            )
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                "VALUES (?, 'attributes', ?, ?, ?)",
                (FN_CRITERION_TABLE, FN_CRITERION_TABLE, "GB 36894 社会风险判据线常数 F-N criterion", now),
            )
    finally:
        con.close()


def copy_fn_criterion(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Copy the table from the park file ``src`` (if it exists and has one) into the GeoPackage ``dst``.

    Used by :func:`geodata.io.save_park`, which rewrites the file from the layers, so that the constants a user
    confirmed stay with the park.
    """
    rec = read_fn_criterion(src)
    if rec is not None:
        _write(Path(dst), rec)


def save_fn_criterion(path: str | os.PathLike, record: Mapping[str, object]) -> dict[str, object]:
    """Check ``record`` and write it INTO an existing park file atomically (copy, one transaction, fsync, replace).

    ``confirmed_on`` defaults to today's date (UTC). Returns the stored record.
    """
    rec = dict(record)
    if not rec.get("confirmed_on"):
        rec["confirmed_on"] = datetime.now(UTC).strftime("%Y-%m-%d")
    rec = check_fn_record(rec)
    write_into_gpkg(path, lambda tmp: _write(tmp, rec), what_zh="社会风险判据常数")
    return rec


def fn_problems_zh(exc: ParkDataError) -> str:
    """The problems of a rejected F-N criterion in Chinese, each as "字段 名=值：问题（改法）", joined with "；"; the
    error's own text when it carries no report."""
    report = getattr(exc, "report", None)
    if report is None:
        return str(exc)
    return "；".join(f"字段 {p.column}={p.value!r}：{p.message_zh}（{p.fix_zh}）" for p in report.problems)
