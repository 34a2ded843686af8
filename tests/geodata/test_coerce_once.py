"""Loading a park coerces each column once (issue 19: validation and the park builder share the coerced columns),
and the outside-enterprise check builds its metric transformer once per CRS."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pyproj
from shapely.geometry import Point

from geodata import Park, _dtypes, consistency, schema
from geodata.validate import validate_layers


def _counting_coerce(monkeypatch) -> Counter:
    calls: Counter = Counter()
    real = _dtypes._coerce

    def counted(series, dtype, null, factor):
        calls[(str(series.name), len(series), dtype)] += 1
        return real(series, dtype, null, factor)

    monkeypatch.setattr(_dtypes, "_coerce", counted)
    return calls


def test_from_layers_coerces_each_schema_column_once(layers, monkeypatch):
    calls = _counting_coerce(monkeypatch)
    park = Park.from_layers(layers)
    expected = Counter(
        (c.name, len(df), c.dtype)
        for name, df in layers.items()
        for c in schema.LAYERS[name].columns
        if c.name in df.columns
    )
    # row labels, value checks, ids, references, date rules, the outside-enterprise check and the layer itself
    # all ask for these columns; before, each asked coerce_series again (up to four times per column)
    assert calls == expected
    assert park.installations["inventory_kg"].dtype == "float64"


def test_shared_masks_are_read_only(layers):
    cache = _dtypes.ColumnCache(layers["installations"])
    values, bad = cache.coerce("inventory_kg", "float")
    assert cache.coerce("inventory_kg", "float")[0] is values
    assert not bad.flags.writeable and not cache.null("inventory_kg").flags.writeable


def test_bad_values_still_reported_once_per_cell_with_shared_columns(layers):
    inst = layers["installations"].astype({"inventory_kg": object})
    inst.loc[1, "inventory_kg"] = "12 吨"
    inst.loc[2, "inventory_kg"] = "#N/A"
    report = validate_layers({**layers, "installations": inst})
    got = [(p.kind, p.row_id, p.value) for p in report.errors if p.column == "inventory_kg"]
    assert got == [("excel_error", "U3", "#N/A"), ("bad_type", "U2", "12 吨")]


def test_metric_transformer_built_once_per_crs(layers, monkeypatch):
    consistency._to_metric.cache_clear()
    built = []
    real = pyproj.Transformer.from_crs

    def counted(*args, **kw):
        built.append(args)
        return real(*args, **kw)

    monkeypatch.setattr(pyproj.Transformer, "from_crs", counted)
    inst = layers["installations"].copy()
    inst.loc[0, "geometry"] = Point(113.05, 30.0)  # ~5 km east of its enterprise
    for _ in range(3):
        report = validate_layers({**layers, "installations": inst})
        assert [(p.kind, p.row_id) for p in report.warnings] == [("outside_enterprise", "U1")]
    assert len(built) == 1


def test_outside_enterprise_accepts_plain_layers_without_cached_columns(layers):
    inst = layers["installations"].copy()
    inst.loc[0, "geometry"] = Point(113.05, 30.0)
    found = []
    labels = {n: list(pd.Series(df.iloc[:, 0]).astype(str)) for n, df in layers.items()}
    consistency.outside_enterprise(
        lambda *a, **k: found.append(a[:3]), {**layers, "installations": inst}, labels
    )
    assert found == [("installations", "U1", "geometry")]


def test_datetime64_columns_follow_the_scalar_date_rule():
    # a datetime64 column is coerced on the array (year range and normalize); it must read every value as the
    # scalar rule _to_date does, at every unit, at the ends of the year range and across the epoch
    texts = [
        "0999-12-31T23:59:59",
        "1000-01-01T12:00:00",
        "9999-12-31T23:59:59",
        "1969-12-31T23:59:59",
        "NaT",
    ]
    for unit in ("s", "ms", "us"):
        raw = np.array([*texts, "10000-01-01", "-0001-06-01"], dtype=f"datetime64[{unit}]")
        series = pd.Series(raw, index=range(3, 3 + len(raw)))
        coerced, bad = _dtypes.coerce_series(series, "date")
        expected = [_dtypes._to_date(v) for v in series.to_numpy(dtype=object)]
        assert coerced.dtype == "datetime64[ms]" and list(coerced.index) == list(series.index)
        assert [None if pd.isna(v) else v for v in coerced] == expected
        assert bad.tolist() == [e is None and not pd.isna(v) for e, v in zip(expected, raw, strict=True)]


def test_every_excel_error_value_holds_a_hash():
    """validate._excel_errors looks only at text holding "#" (fast path): every Excel error value must hold one."""
    from geodata.validate import EXCEL_ERRORS

    assert EXCEL_ERRORS and all("#" in e for e in EXCEL_ERRORS)
