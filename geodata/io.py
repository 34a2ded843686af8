"""Reading and writing parks: GeoPackage (the default store), folders of GeoJSON/Shapefiles, CSV/XLSX tables.

Formats accepted by :func:`load_park`:

- ``park.gpkg`` — one layer per park layer, named as in :data:`geodata.schema.LAYERS`;
- a folder holding ``<layer>.geojson`` / ``<layer>.json`` / ``<layer>.shp`` / ``<layer>.gpkg`` / ``<layer>.csv`` /
  ``<layer>.xlsx`` files (one layer each);
- ``<layer>.geojson`` / ``<layer>.shp`` / ``<layer>.csv`` — a single layer;
- ``park.xlsx`` — one sheet per layer, named after the layer;
- ``park.csv`` (or a one-sheet workbook) with a ``layer`` column naming each row's layer: one table for all layers.

Tables (CSV/XLSX) carry their geometry as ``lon``/``lat`` columns (also ``lng``, ``longitude``, ``latitude``,
``x``, ``y``, ``经度``, ``纬度``) for points, or a ``wkt`` (or ``geometry``) column of WKT text for lines and polygons.
Their coordinates are in the system the user names with ``coords`` (WGS84, CGCS2000, GCJ-02 or BD-09).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geodata import schema
from geodata._atomic import discard, gpkg_lock, replace_durably
from geodata.criteria import FN_CRITERION_TABLE, copy_fn_criterion
from geodata.crs import WGS84
from geodata.park import Park
from geodata.population import population_raster_path, read_population_raster
from geodata.results import copy_results, is_result_table
from geodata.validate import Problem
from geodata.weather import WEATHER_TABLES, read_weather, write_weather

__all__ = [
    "load_park",
    "save_park",
    "save_shapefiles",
    "read_layers",
    "table_to_layer",
    "LON_COLUMNS",
    "LAT_COLUMNS",
    "WKT_COLUMNS",
]

log = logging.getLogger(__name__)

LON_COLUMNS = ("lon", "lng", "longitude", "long", "x", "经度")
LAT_COLUMNS = ("lat", "latitude", "y", "纬度")
WKT_COLUMNS = ("wkt", "geometry", "geom", "几何")
LAYER_COLUMNS = ("layer", "图层")
_VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
_TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
_CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030: CSV saved by Chinese Excel
# pandas' default missing-value texts without Excel's "#N/A", which validation reports as an Excel error value
_CSV_NA_VALUES = ("", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
                  "NA", "NULL", "NaN", "None", "n/a", "nan", "null")  # fmt: skip


def _find(columns, names) -> str | None:
    low = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in low:
            return low[n]
    return None


def table_to_layer(df: pd.DataFrame, *, layer: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn a table with lon/lat or WKT columns into a GeoDataFrame (EPSG:4326 axis order: x = lon, y = lat).

    Values that are not coordinates leave the geometry empty and are reported (``bad_type``). A table without
    geometry columns is returned unchanged (validation reports ``no_geometry``). The coordinates are not converted
    here; :func:`geodata.park.prepare_layers` removes GCJ-02/BD-09 offsets.
    """
    problems: list[Problem] = []
    df = df.reset_index(drop=True)
    labels = [f"第{i + 1}行" for i in range(len(df))]
    spec = schema.LAYERS.get(layer)
    if spec is not None and spec.id_column in df.columns:
        labels = [
            lab if pd.isna(v) or not str(v).strip() else str(v).strip()
            for lab, v in zip(labels, df[spec.id_column], strict=True)
        ]
    wkt_col = _find(df.columns, WKT_COLUMNS)
    lon_col, lat_col = _find(df.columns, LON_COLUMNS), _find(df.columns, LAT_COLUMNS)
    has_lonlat = lon_col is not None and lat_col is not None
    if wkt_col is None and not has_lonlat:
        return df, problems
    n = len(df)
    geoms = np.full(n, None, dtype=object)
    has_text = np.zeros(n, dtype=bool)
    if wkt_col is not None:
        text = np.array(
            [v if isinstance(v, str) and v.strip() else None for v in df[wkt_col].array], dtype=object
        )
        has_text = np.array([t is not None for t in text], dtype=bool)
        geoms[has_text] = shapely.from_wkt(text[has_text], on_invalid="ignore")
        for i in np.flatnonzero(has_text & shapely.is_missing(geoms)):
            problems.append(
                Problem(
                    layer,
                    labels[i],
                    str(wkt_col),
                    text[i],
                    "WKT 文本无法解析为几何",
                    "请填写 WKT，如 POLYGON((113.1 30.1, 113.2 30.1, 113.2 30.2, 113.1 30.1))",
                    "error",
                    "bad_type",
                )
            )
    if has_lonlat:
        use = ~has_text  # a row with WKT takes its geometry from it; the others from lon/lat
        lon = pd.to_numeric(df[lon_col], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(df[lat_col], errors="coerce").to_numpy(dtype=float)
        given = use & ~(df[lon_col].isna().to_numpy() & df[lat_col].isna().to_numpy())
        for col, vals, nums in ((lon_col, df[lon_col], lon), (lat_col, df[lat_col], lat)):
            for i in np.flatnonzero(given & ~np.isfinite(nums)):
                problems.append(
                    Problem(
                        layer,
                        labels[i],
                        str(col),
                        vals.iloc[i],
                        f"坐标列「{col}」不是有效数值",
                        "请填写十进制度数，如 113.1234（不要用度分秒或带单位）",
                        "error",
                        "bad_type",
                    )
                )
        ok = use & np.isfinite(lon) & np.isfinite(lat)
        geoms[ok] = shapely.points(lon[ok], lat[ok])
    attrs = df.drop(
        columns=[
            c
            for c in (wkt_col, lon_col if has_lonlat else None, lat_col if has_lonlat else None)
            if c is not None
        ]
    )
    return gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84), problems


def _read_csv(path: Path, nrows: int | None = None) -> pd.DataFrame:
    last: Exception | None = None
    for enc in _CSV_ENCODINGS:
        try:
            # dtype=str keeps what the user typed ("007", "2.5 MPa"); validation coerces and reports.
            return pd.read_csv(
                path,
                dtype=str,
                encoding=enc,
                skipinitialspace=True,
                nrows=nrows,
                keep_default_na=False,
                na_values=_CSV_NA_VALUES,
            )
        except UnicodeDecodeError as exc:
            last = exc
    raise ValueError(f"无法识别文件编码（已尝试 {', '.join(_CSV_ENCODINGS)}）: {last}")


def _split_by_layer_column(df: pd.DataFrame, stem: str, sheet: str | None = None) -> dict[str, pd.DataFrame]:
    """One table -> layers: by its ``layer`` (or ``图层``) column when it has one, else named after the file/sheet.

    In a combined table each layer keeps the columns that have a value in at least one of its rows or belong to its
    schema; the others (other layers' columns) are dropped.
    """
    col = _find(df.columns, LAYER_COLUMNS)
    if col is None or stem in schema.LAYERS or (sheet is not None and sheet in schema.LAYERS):
        name = sheet if sheet is not None and (sheet in schema.LAYERS or stem not in schema.LAYERS) else stem
        return {str(name): df}
    out: dict[str, pd.DataFrame] = {}
    names = df[col].astype(object).where(df[col].notna(), "").map(lambda v: str(v).strip())
    for name in dict.fromkeys(names):
        part = df[names == name].drop(columns=[col]).reset_index(drop=True)
        spec = schema.LAYERS.get(name)
        keep = [
            c
            for c in part.columns
            if part[c].notna().any() or (spec is not None and str(c).strip() in spec.column_names)
        ]
        out[name or "（空图层名）"] = part[keep]
    return out


def _untruncate(gdf: gpd.GeoDataFrame, layer: str) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Give back the schema names of a Shapefile's DBF fields (at most 10 characters).

    Accepted: the names :func:`save_shapefiles` writes (:func:`geodata.schema.shapefile_names`: ``enterprise`` for
    ``enterprise_id``, ``pop_day``/``pop_night``), any other unique 10-character start of a schema name, and the
    names GDAL/QGIS give two columns with the same first 10 characters (``population`` and ``populati_1``): those
    are read in the schema's column order, with a warning to check them.
    """
    spec = schema.LAYERS.get(layer)
    if spec is None:
        return gdf, []
    present = {str(c) for c in gdf.columns if c != gdf.geometry.name}
    rename: dict[str, str] = {}
    taken = set(present) & set(spec.column_names)
    for full, short in schema.shapefile_names(layer).items():
        if full not in taken and short != full and short in present and short not in taken:
            rename[short], _ = full, taken.add(full)
    for col in sorted(present - set(rename) - set(spec.column_names)):
        if len(col) != 10:
            continue
        full = [c for c in spec.column_names if c.startswith(col) and c not in taken]
        if len(full) == 1:
            rename[col], _ = full[0], taken.add(full[0])
    problems = []
    groups: dict[str, list[str]] = {}
    for c in spec.column_names:
        if c not in taken and len(c) > 10:
            groups.setdefault(c[:10], []).append(c)
    for short, fulls in groups.items():
        laundered = [short] + [f"{short[:8]}_{k}" for k in range(1, len(fulls))]
        if len(fulls) < 2 or not all(n in present and n not in rename for n in laundered):
            continue
        rename.update(zip(laundered, fulls, strict=True))
        pairs = "、".join(f"{n} → {f}" for n, f in zip(laundered, fulls, strict=True))
        problems.append(
            Problem(
                layer,
                None,
                fulls[0],
                "、".join(laundered),
                f"Shapefile 把列名截断为 {'、'.join(laundered)}，已按列顺序读作 {pairs}",
                f"请核对这几列的数值是否对应；保存时请用 parkrisk 的 save_shapefiles（写出 "
                f"{'、'.join(schema.shapefile_names(layer)[f] for f in fulls)}），或改用 GeoPackage",
                "warning",
                "truncated_column",
            )
        )
    return (gdf.rename(columns=rename) if rename else gdf), problems


def _unreadable(layer: str | None, path: Path, exc: BaseException) -> Problem:
    return Problem(
        layer,
        None,
        None,
        str(path),
        f"文件无法读取：{type(exc).__name__}: {exc}",
        "请确认文件完整、格式正确（可用 QGIS 打开检查），CSV 请保存为 UTF-8 编码",
        "error",
        "unreadable",
    )


def _streamed_workbook(path: Path):
    """``path`` opened by openpyxl in ``read_only`` mode, without its up-front size scan.

    ``openpyxl.load_workbook(read_only=True)`` looks for each sheet's ``<dimension>`` element when it opens the
    sheet, and a sheet without one (openpyxl's own write-only files, or a crafted file) is parsed to its end right
    there. The workbook is put together here as ``load_workbook`` does it (manifest, shared strings, workbook,
    styles), with sheets that leave the size unknown, so that rows are only parsed while they are iterated.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class _Sheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:  # size found while the rows are read (pandas resets it anyway)
            return None

        def _get_row(self, row, min_col=1, max_col=None, values_only=False):
            for cell in row:  # Excel error values ("#DIV/0!") as their text, not empty: validation names them
                if cell.get("data_type") == "e":
                    cell["data_type"] = "s"
            return super()._get_row(row, min_col, max_col, values_only)

    reader = ExcelReader(path, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                reader.wb._sheets.append(_Sheet(reader.wb, sheet.name, rel.target, reader.shared_strings))
    except BaseException:
        reader.archive.close()
        raise
    return reader.wb


def _read_xlsx(path: Path, nrows: int | None) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook, each streamed row by row (openpyxl ``read_only``) up to ``nrows`` data rows."""
    book = _streamed_workbook(path)
    try:
        return pd.read_excel(book, sheet_name=None, dtype=object, engine="openpyxl", nrows=nrows)
    finally:
        book.close()


def _capped(
    tables: dict[str, pd.DataFrame], path: Path, max_rows: int | None, what: str
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The tables read with ``max_rows + 1`` rows at most; those that reached it are dropped and reported."""
    if max_rows is None:
        return tables, []
    kept = {n: t for n, t in tables.items() if len(t) <= max_rows}
    problems = [
        Problem(
            str(n) if str(n) in schema.LAYERS else None,
            f"第{max_rows + 1}行",
            None,
            path.name,
            f"{what}「{n}」超过 {max_rows:,} 行的上限，已停止读取（文件 {path.name}）",
            "请删除多余的行或拆分文件后重新上传；在应用中可用环境变量 PARKRISK_UPLOAD_MAX_ROWS 调高上限",
            "error",
            "unreadable",
        )
        for n in tables
        if n not in kept
    ]
    return kept, problems


def _read_file(path: Path, max_rows: int | None = None) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Layers in one file (a GeoPackage may hold several; an XLSX one per sheet).

    With ``max_rows``, every sheet or layer is read up to one row past it (XLSX streamed row by row with
    openpyxl's ``read_only`` mode, CSV with ``nrows``, vector files with ``max_features``) and one that has more
    rows is reported instead of read.
    """
    suffix = path.suffix.lower()
    layers: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    cap = {} if max_rows is None else {"max_features": max_rows + 1}
    nrows = None if max_rows is None else max_rows + 1
    try:
        if suffix == ".gpkg":
            info = pyogrio.list_layers(path)
            skip = (*WEATHER_TABLES, FN_CRITERION_TABLE)  # geodata.weather, geodata.criteria
            # stored analysis results (geodata.results) are not park layers
            names = [str(n) for n in info[:, 0] if str(n) not in skip and not is_result_table(str(n))]
            if len(names) == 1 and names[0] not in schema.LAYERS and path.stem in schema.LAYERS:
                layers[path.stem] = gpd.read_file(path, layer=names[0], **cap)  # <layer>.gpkg in a folder
            else:
                for n in names:
                    layers[n] = gpd.read_file(path, layer=n, **cap)
        elif suffix in (".geojson", ".json"):
            layers[path.stem] = gpd.read_file(path, **cap)
        elif suffix == ".shp":
            layers[path.stem], probs = _untruncate(gpd.read_file(path, **cap), path.stem)
            problems.extend(probs)
        elif suffix == ".csv":
            whole, probs = _capped({path.stem: _read_csv(path, nrows)}, path, max_rows, "文件")
            problems.extend(probs)
            sheets = {n: t for w in whole.values() for n, t in _split_by_layer_column(w, path.stem).items()}
            for n, sheet in sheets.items():
                gdf, probs = table_to_layer(sheet, layer=n)
                layers[n] = gdf
                problems.extend(probs)
        elif suffix in (".xlsx", ".xlsm"):
            sheets = _read_xlsx(path, nrows)
            sheets, probs = _capped(sheets, path, max_rows, "工作表")
            problems.extend(probs)
            if len(sheets) == 1:
                sheets = _split_by_layer_column(next(iter(sheets.values())), path.stem, next(iter(sheets)))
            for n, sheet in sheets.items():
                gdf, probs = table_to_layer(sheet, layer=str(n))
                layers[str(n)] = gdf
                problems.extend(probs)
        else:
            raise ValueError(
                f"不支持的文件类型 {suffix!r}；支持 {', '.join(_VECTOR_SUFFIXES + _TABLE_SUFFIXES)}"
            )
    except Exception as exc:  # noqa: BLE001 - any reader failure on a user file is reported, never a traceback
        log.debug("reading %s failed", path, exc_info=True)
        layer = path.stem if path.stem in schema.LAYERS else None
        return {}, [_unreadable(layer, path, exc)]
    if suffix in _VECTOR_SUFFIXES:
        layers, probs = _capped(layers, path, max_rows, "图层")
        problems.extend(probs)
    return layers, problems


def read_layers(
    path: str | os.PathLike, *, max_rows: int | None = None
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read every layer at ``path`` (file or folder) without validating; return layers and reading problems.

    ``max_rows`` caps the rows (features) of each sheet or layer file: reading stops one row past it and such a
    table is reported (an ``unreadable`` error) instead of read. The app sets it for uploads.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist (message in Chinese and English).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"找不到文件或文件夹：{path} / no such file or folder: {path}")
    if not path.is_dir():
        return _read_file(path, max_rows)
    layers: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    files = sorted(
        p
        for p in path.iterdir()
        if p.is_file()
        and p.suffix.lower() in _VECTOR_SUFFIXES + _TABLE_SUFFIXES
        and not p.name.startswith((".", "~$"))
    )
    if not files:
        problems.append(
            Problem(
                None,
                None,
                None,
                str(path),
                "文件夹中没有可读取的图层文件",
                f"请放入以图层命名的文件，如 installations.geojson；支持 "
                f"{', '.join(_VECTOR_SUFFIXES + _TABLE_SUFFIXES)}",
                "error",
                "unreadable",
            )
        )
    for f in files:
        got, probs = _read_file(f, max_rows)
        problems.extend(probs)
        for name, df in got.items():
            if name in layers:
                problems.append(
                    Problem(
                        name,
                        None,
                        None,
                        f.name,
                        f"图层「{name}」在多个文件中出现，已忽略 {f.name}",
                        "每个图层只保留一个文件",
                        "warning",
                        "unknown_layer",
                    )
                )
                continue
            layers[name] = df
    return layers, problems


def load_park(
    path: str | os.PathLike,
    *,
    coords: str = "WGS84",
    known_substance: Callable[[str], bool] | None = None,
    max_rows: int | None = None,
) -> Park:
    """Load and validate a park.

    Parameters
    ----------
    path : str or path-like
        A GeoPackage, a folder of GeoJSON/Shapefile/CSV/XLSX files named after the layers, a single layer file, or
        an XLSX workbook with one sheet per layer (see the module docstring).
    coords : str
        The coordinate system the file's coordinates are in: ``"WGS84"`` (default), ``"CGCS2000"``, ``"GCJ-02"``
        (Gaode/Tencent) or ``"BD-09"`` (Baidu). Offsets are removed with coord-convert (:mod:`geodata.crs`).
    known_substance : callable, optional
        ``known_substance(name) -> bool``; when given, unknown substances are reported.
    max_rows : int, optional
        Most rows (features) read from one sheet or layer file; a table with more is reported instead of read
        (:func:`read_layers`).

    Returns
    -------
    Park
        Layers in EPSG:4326 with the schema dtypes; ``park.population_raster`` holds the optional population grid
        ``<park>.population.tif`` beside the file (:mod:`geodata.population`), else None.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ParkDataError
        If the data have any error; ``err.report`` lists every problem (no partial park is returned).
    ValueError
        If ``coords`` is not one of the supported systems.
    """
    layers, problems = read_layers(path, max_rows=max_rows)
    park = Park.from_layers(
        layers, coords=coords, known_substance=known_substance, source=str(path), extra_problems=problems
    )
    if Path(path).suffix.lower() == ".gpkg":
        park.weather = read_weather(path)  # the station's rose, or None (geodata.weather)
    pop = population_raster_path(path)  # <park>.population.tif beside the file, optional (geodata.population)
    park.population_raster = read_population_raster(pop) if pop.exists() else None
    return park


def _gpkg_ready(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns GDAL can store: nullable booleans/ints as object with None where missing."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        dt = out[col].dtype
        if isinstance(dt, pd.BooleanDtype | pd.Int64Dtype) and out[col].isna().any():
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def save_park(park: Park, path: str | os.PathLike) -> None:
    """Write ``park`` to a GeoPackage atomically.

    The layers are written to a temporary file in the destination folder, flushed to disk (``fsync``), then moved
    over ``path`` with :func:`os.replace` (atomic on POSIX and Windows within one file system); the folder entry is
    fsynced too. A crash or error at any point leaves either the old file or the new one, never half a file; the
    temporary file is removed on error.

    Parameters
    ----------
    park : Park
        The park to write (all layers, empty ones included).
    path : str or path-like
        Destination ``.gpkg`` file.

    Raises
    ------
    ValueError
        If ``path`` does not end in ``.gpkg``.
    OSError
        If the folder does not exist or is not writable (the original file is untouched).
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise ValueError(
            f"path={str(path)!r}: 园区只能保存为 GeoPackage（.gpkg） / park files must end in .gpkg"
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"目标文件夹不存在：{folder} / no such folder: {folder}")
    tmp = folder / f".{path.stem}.{uuid.uuid4().hex}.tmp.gpkg"
    try:
        for name, gdf in park.layers.items():
            gpd.GeoDataFrame(_gpkg_ready(gdf)).to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        if getattr(park, "weather", None) is not None:
            write_weather(tmp, park.weather, last_change=pyogrio.get_gdal_config_option("OGR_CURRENT_DATE"))
    except BaseException:
        discard(tmp)
        raise
    # under the file's lock: a result or weather writer working on its own copy cannot replace the file between
    # our copy of what it holds and our replace (its write, or this save, would be lost)
    with gpkg_lock(path):
        try:
            copy_fn_criterion(path, tmp)  # the F-N constants a user confirmed stay with the park
            copy_results(
                path, tmp
            )  # so do the stored analysis results (geodata.results; stale ones shown so)
        except BaseException:
            discard(tmp)
            raise
        replace_durably(tmp, path)
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - directories cannot be opened on Windows
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    log.info("saved park %r to %s", park.name, path)


def _one_geometry_family(name: str, gdf: gpd.GeoDataFrame) -> None:
    """A Shapefile holds points, lines or polygons, not a mix: refuse a mixed layer, naming a feature of each kind."""
    family = gdf.geom_type.fillna("").str.replace("Multi", "", regex=False)
    kinds = list(dict.fromkeys(family))
    if len(kinds) > 1:
        id_col = schema.LAYERS[name].id_column
        first = {k: str(gdf[id_col].iloc[int(np.flatnonzero((family == k).to_numpy())[0])]) for k in kinds}
        raise ValueError(
            f"图层「{name}」同时含有{'、'.join(f'{k}（如 {v}）' for k, v in first.items())}，Shapefile 每个文件只能保存"
            f"一种几何类型：请保存为 GeoPackage（save_park），或把这些要素统一为一种几何 / layer {name!r} mixes "
            f"{kinds}; a Shapefile holds one geometry type"
        )


def save_shapefiles(park: Park, folder: str | os.PathLike) -> None:
    """Write ``park`` as one Shapefile per non-empty layer (``<layer>.shp`` with .shx/.dbf/.prj/.cpg, UTF-8).

    DBF field names have at most 10 characters; the columns are written under
    :func:`geodata.schema.shapefile_names` (``enterprise_id`` -> ``enterprise``, ``population_day`` ->
    ``pop_day``, ``population_night`` -> ``pop_night``), which :func:`load_park` reads back. Each layer's files are
    written to a temporary folder first and then moved into ``folder`` (created if missing), so an error never
    leaves half a layer. Empty layers are not written (a missing layer reads as empty).

    Raises
    ------
    FileNotFoundError
        If the parent of ``folder`` does not exist.
    ValueError
        If a layer mixes points, lines and polygons (a Shapefile holds one kind); nothing of it is written.
    """
    folder = Path(folder)
    if not folder.parent.is_dir():
        raise FileNotFoundError(f"目标文件夹的上级不存在：{folder.parent} / no such folder: {folder.parent}")
    folder.mkdir(exist_ok=True)
    tmp = folder / f".{uuid.uuid4().hex}.tmp"
    tmp.mkdir()
    try:
        for name, gdf in park.layers.items():
            if len(gdf) == 0:
                continue
            _one_geometry_family(name, gdf)
            out = _gpkg_ready(gdf).rename(columns=schema.shapefile_names(name))
            for col in out.columns:
                if col != out.geometry.name and pd.api.types.is_bool_dtype(out[col].dtype):
                    out[col] = out[col].astype(int)  # DBF has no nullable boolean: 1/0, read back as bool
            out.to_file(tmp / f"{name}.shp", driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
            for part in sorted(tmp.glob(f"{name}.*")):
                os.replace(part, folder / part.name)
    finally:
        for leftover in tmp.iterdir():
            leftover.unlink()
        tmp.rmdir()
    log.info("saved park %r as Shapefiles in %s", park.name, folder)
