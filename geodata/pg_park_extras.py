"""A park's population raster and its F-N constants in a PostGIS region (:mod:`geodata.pg_parks`).

A park file carries two things beside its layers: the population grid ``<park>.population.tif``
(:mod:`geodata.population`) and the GB 36894-2018 F-N constants a user confirmed, the ``fn_criterion`` table of
field/value pairs (:mod:`geodata.criteria`). In a PostGIS region they are two more tables keyed by park id:

``park_population``
    one row per park: ``rast raster`` — a PostGIS raster (extension ``postgis_raster``, shipped in the same Debian
    package as PostGIS and present in the test server), so the grid can be read in SQL (``ST_Value``,
    ``ST_SummaryStats``) and shown in QGIS — and ``crs_wkt`` (the grid's CRS as WKT; the raster's SRID is set
    too when the CRS has an EPSG code). Band 1 is the night-time (resident) population, an optional band 2 the
    day-time one, persons per cell, stored as ``64BF`` so that every value and the geotransform come back bit
    for bit. A raster loaded by other tools (``raster2pgsql``, any pixel type, with NoData) is read too: NoData,
    non-finite and negative cells are 0, as :func:`geodata.population.read_population_raster` reads a GeoTIFF.
``park_fn_criterion``
    the ``fn_criterion`` table of the park file: one row per field of :data:`geodata.criteria.FN_FIELDS`
    (``field``, ``value`` as text; numbers as ``repr`` so they come back exactly).

The raster travels as PostGIS well-known binary (WKB) [1]_ built and parsed here with numpy
(``ST_RastFromWKB`` / ``ST_AsBinary``): no GDAL driver has to be enabled in the database
(``postgis.gdal_enabled_drivers`` is off by default and only a superuser may turn it on).

Bad rows raise :class:`geodata.pg_parks.ParkDatabaseError` naming the table, the park, the field and value, and
the fix.

References
----------
.. [1] PostGIS Project (2023). *RFC2: Well Known Binary format for RASTER type*, PostGIS 3.3 source tree,
   ``raster/doc/RFC2-WellKnownBinaryFormat`` (header: endianness, version, band count, scale X/Y, upper-left X/Y,
   skew X/Y, SRID, width, height; per band: flags with the pixel type, NoData value, pixels row by row).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyproj

from geodata.criteria import FN_FIELDS, check_fn_record, fn_problems_zh
from geodata.errors import ParkDataError
from geodata.population import PopulationRaster

__all__ = [
    "POPULATION_TABLE",
    "FN_TABLE",
    "extras_ddl",
    "raster_to_wkb",
    "raster_from_wkb",
    "write_extras",
    "read_population",
    "read_fn_setting",
    "population_geotiff",
]

POPULATION_TABLE = "park_population"
FN_TABLE = "park_fn_criterion"

# [1]: pixel type code -> numpy dtype (1BB, 2BUI and 4BUI are held in one byte each)
_PIXTYPES: dict[int, str] = {
    0: "u1",
    1: "u1",
    2: "u1",
    3: "i1",
    4: "u1",
    5: "i2",
    6: "u2",
    7: "i4",
    8: "u4",
    10: "f4",
    11: "f8",
}
_PIXNAMES = {0: "1BB", 1: "2BUI", 2: "4BUI", 3: "8BSI", 4: "8BUI", 5: "16BSI", 6: "16BUI", 7: "32BSI",
             8: "32BUI", 10: "32BF", 11: "64BF"}  # fmt: skip
_HEADER = "HHddddddiHH"  # after the endianness byte, no padding (a "<" or ">" prefix), [1]
_HEADER_SIZE = struct.calcsize("<" + _HEADER)
_FIX_POP = (
    "请在园区文件旁放置人口栅格（园区.population.tif）后用 parkrisk region import 重新导入该园区，"
    "或删除该行（DELETE FROM {schema}.park_population WHERE park_key = '{park}'）改为不使用人口栅格"
)


_FIX_GENERIC = "请从人口栅格 GeoTIFF 重新导入该园区（parkrisk region import）"


def extras_ddl() -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` of the two tables (the search path set to the region's schema)."""
    return [
        f"""CREATE TABLE IF NOT EXISTS {POPULATION_TABLE} (park_key TEXT NOT NULL REFERENCES park_index (park_key)
        ON DELETE CASCADE, fid INTEGER NOT NULL DEFAULT 0, rast raster NOT NULL, crs_wkt TEXT,
        PRIMARY KEY (park_key, fid))""",
        f"""CREATE TABLE IF NOT EXISTS {FN_TABLE} (park_key TEXT NOT NULL REFERENCES park_index (park_key)
        ON DELETE CASCADE, fid INTEGER NOT NULL, field TEXT NOT NULL, value TEXT, PRIMARY KEY (park_key, fid),
        UNIQUE (park_key, field))""",
    ]


def _error(msg: str) -> Exception:
    from geodata.pg_parks import ParkDatabaseError  # the error class of the park tables

    return ParkDatabaseError(msg)


# -- raster <-> WKB ---------------------------------------------------------------------------------------------
def raster_to_wkb(raster: PopulationRaster, *, srid: int = 0) -> bytes:
    """The population grid as PostGIS raster WKB [1]_ (little-endian, ``64BF`` bands, no NoData).

    One band when the day grid is the night grid (a one-band file), else two (night, day).

    Raises
    ------
    ParkDatabaseError
        A grid wider or taller than 65,535 cells (the WKB header holds 16-bit sizes).
    """
    night = np.asarray(raster.night, dtype="<f8")
    day = np.asarray(raster.day, dtype="<f8")
    ny, nx = night.shape
    if nx > 65535 or ny > 65535 or nx == 0 or ny == 0:
        raise _error(
            f"人口栅格 {raster.source} 为 {nx} × {ny} 个像元：PostGIS 栅格每边应为 1～65,535 个像元。"
            "请裁剪到园区及周边或重采样到更粗的分辨率（人数求和）后重新导入"
        )
    bands = [night] if raster.day is raster.night or np.array_equal(day, night) else [night, day]
    a, b, c, d, e, f = (float(v) for v in raster.transform)
    # [1]: scaleX, scaleY, ipX, ipY, skewX, skewY; x = ipX + col·scaleX + row·skewX, y = ipY + col·skewY + row·scaleY
    out = [b"\x01", struct.pack("<" + _HEADER, 0, len(bands), a, e, c, f, b, d, int(srid), nx, ny)]
    for band in bands:
        out.append(struct.pack("<Bd", 11, 0.0))  # flags: 64BF, no NoData; the NoData field is still present
        out.append(np.ascontiguousarray(band).tobytes())
    return b"".join(out)


def raster_from_wkb(
    data: bytes, *, crs: pyproj.CRS, source: str = "", where: str = "人口栅格", fix: str = _FIX_GENERIC
) -> PopulationRaster:
    """A :class:`~geodata.population.PopulationRaster` from PostGIS raster WKB [1]_ (any pixel type, either byte
    order); NoData, non-finite and negative cells are 0.

    Raises
    ------
    ParkDatabaseError
        Not raster WKB, an out-of-database band, or not 1 or 2 bands (``where`` names the table and park).
    """
    buf = memoryview(bytes(data))
    try:
        order = {0: ">", 1: "<"}[buf[0]]
        version, nbands, sx, sy, ipx, ipy, kx, ky, _srid, nx, ny = struct.unpack_from(order + _HEADER, buf, 1)
    except (KeyError, IndexError, struct.error):
        raise _error(f"{where} 的 rast 不是 PostGIS 栅格：{fix}") from None
    if version != 0 or nbands not in (1, 2):
        raise _error(
            f"{where} 的 rast 有 {nbands} 个波段（WKB 版本 {version}）：人口栅格应为 1 个波段（常住人口）或 2 个"
            "（第 1 波段夜间、第 2 波段白天）。请用 ST_Band(rast, ARRAY[1, 2]) 只保留这两个波段后重新写入"
        )
    pos = 1 + _HEADER_SIZE
    bands = []
    for i in range(nbands):
        if len(buf) <= pos:
            raise _error(f"{where} 的 rast 第 {i + 1} 波段缺失（数据不完整）：{fix}")
        flags = buf[pos]
        code = flags & 0x0F
        if flags & 0x80:
            raise _error(
                f"{where} 的 rast 第 {i + 1} 波段存放在数据库外（out-db）：请用 raster2pgsql 不带 -R 参数导入，"
                "使像元存放在数据库中"
            )
        if code not in _PIXTYPES:
            raise _error(f"{where} 的 rast 第 {i + 1} 波段像元类型代码 {code} 未知：{fix}")
        dtype = np.dtype(_PIXTYPES[code]).newbyteorder(order)
        n = nx * ny
        if len(buf) < pos + 1 + dtype.itemsize * (1 + n):
            raise _error(f"{where} 的 rast 第 {i + 1} 波段（{_PIXNAMES[code]}）数据不完整：{fix}")
        nodata = np.frombuffer(buf, dtype, 1, pos + 1)[0]
        pos += 1 + dtype.itemsize
        vals = np.frombuffer(buf, dtype, n, pos).astype(float).reshape(ny, nx)
        pos += n * dtype.itemsize
        if flags & 0x20:  # the whole band is NoData
            vals = np.zeros((ny, nx))
        elif flags & 0x40:
            vals = np.where(vals == float(nodata), 0.0, vals)
        bands.append(np.where(np.isfinite(vals) & (vals > 0), vals, 0.0))
    night = bands[0]
    day = night if nbands == 1 else bands[1]
    return PopulationRaster(night, day, (sx, kx, ipx, ky, sy, ipy), crs, source)


# -- writing ----------------------------------------------------------------------------------------------------
def _srid(cur: Any, crs: pyproj.CRS) -> int:
    code = crs.to_epsg()
    if code is None:
        return 0
    row = cur.execute(
        "SELECT srid FROM spatial_ref_sys WHERE auth_name = 'EPSG' AND auth_srid = %s", (code,)
    ).fetchone()
    return int(row[0]) if row else 0


def write_extras(
    cur: Any, key: str, raster: PopulationRaster | None, fn_record: Mapping[str, object] | None
) -> None:
    """Write the park's population grid and F-N constants (inside :func:`geodata.pg_parks.write_park`'s
    transaction, after its old rows were deleted).

    Raises
    ------
    ParkDatabaseError
        Constants that do not pass :func:`geodata.criteria.check_fn_record` (field, value and fix named), or a grid
        too large for a PostGIS raster.
    """
    if raster is not None:
        crs = pyproj.CRS.from_user_input(raster.crs)
        wkb = raster_to_wkb(raster, srid=_srid(cur, crs))
        cur.execute(
            f"INSERT INTO {POPULATION_TABLE} (park_key, fid, rast, crs_wkt) VALUES (%s, 0, ST_RastFromWKB(%s), %s)",
            (key, wkb, crs.to_wkt()),
        )
    if fn_record:
        try:
            rec = check_fn_record(fn_record)
        except ParkDataError as exc:
            raise _error(
                f"园区 {key} 的社会风险判据常数（GB 36894 F-N）未写入：{fn_problems_zh(exc)}"
            ) from None
        rows = [
            (key, i, k, repr(v) if isinstance(v, float) else str(v))
            for i, (k, v) in enumerate((k, rec[k]) for k in FN_FIELDS if k in rec)
        ]
        cur.executemany(f"INSERT INTO {FN_TABLE} (park_key, fid, field, value) VALUES (%s, %s, %s, %s)", rows)


# -- reading ----------------------------------------------------------------------------------------------------
def read_population(conn: Any, key: str, *, schema: str, label: str) -> PopulationRaster | None:
    """The park's population grid, or None when it has none.

    Raises
    ------
    ParkDatabaseError
        More than one row, a NULL ``rast``, no CRS (SRID 0 and ``crs_wkt`` empty, or a WKT that cannot be read),
        bad raster WKB (the message names the table, park, column and value, and the fix).
    """
    rows = conn.execute(
        f"SELECT fid, ST_AsBinary(rast), crs_wkt, ST_SRID(rast) FROM {POPULATION_TABLE} WHERE park_key = %s "
        "ORDER BY fid",
        (key,),
    ).fetchall()
    where = f"{label} 表 {schema}.{POPULATION_TABLE} 园区 {key}"
    fix = _FIX_POP.format(schema=schema, park=key)
    if not rows:
        return None
    if len(rows) > 1:
        raise _error(
            f"{where} 有 {len(rows)} 行（fid {', '.join(str(r[0]) for r in rows)}）：每个园区只能有一个人口栅格。"
            f"请用 ST_Union(rast) 把各分块合并为一行（fid = 0），或{fix}"
        )
    _, wkb, wkt, srid = rows[0]
    if wkb is None:
        raise _error(f"{where} 的 rast 为空（NULL）：{fix}")
    crs = _crs(conn, wkt, srid, where)
    return raster_from_wkb(bytes(wkb), crs=crs, source=f"{where}（PostGIS 栅格）", where=where, fix=fix)


def _crs(conn: Any, wkt: str | None, srid: int | None, where: str) -> pyproj.CRS:
    if wkt:
        try:
            return pyproj.CRS.from_wkt(wkt)
        except pyproj.exceptions.CRSError:
            raise _error(
                f"{where} 的 crs_wkt={wkt[:60]!r} 不是可识别的坐标系 WKT：请改为正确的 WKT，"
                "或置为 NULL 并用 ST_SetSRID(rast, 4326) 等设定栅格的 SRID"
            ) from None
    if srid:
        row = conn.execute("SELECT srtext FROM spatial_ref_sys WHERE srid = %s", (srid,)).fetchone()
        if row and row[0]:
            return pyproj.CRS.from_wkt(row[0])
    raise _error(
        f"{where} 的栅格没有坐标系（rast 的 SRID={srid}，crs_wkt 为空）：请执行 UPDATE 设定 "
        "rast = ST_SetSRID(rast, 4326)（或栅格实际所用的 EPSG 代码），或在 crs_wkt 中填写坐标系 WKT"
    )


def read_fn_setting(conn: Any, key: str, *, schema: str, label: str) -> dict[str, object] | None:
    """The park's F-N constants (checked, as :func:`geodata.criteria.read_fn_criterion` returns them), or None.

    Raises
    ------
    ParkDatabaseError
        An unknown field, or constants that do not pass :func:`geodata.criteria.check_fn_record` (the message names
        the table, park, each field and value, and the fix).
    """
    rows = conn.execute(
        f"SELECT field, value FROM {FN_TABLE} WHERE park_key = %s ORDER BY fid", (key,)
    ).fetchall()
    if not rows:
        return None
    where = f"{label} 表 {schema}.{FN_TABLE} 园区 {key}"
    fix = (
        f"请改正该行（如 UPDATE {schema}.{FN_TABLE} SET value = '0.001' WHERE park_key = '{key}' AND field = "
        f"'upper_c'），或删除该园区的全部行（改用 GB 36894 缺省常数，显示为未核对），或在园区文件的「风险分布」页"
        "重新录入后用 parkrisk region import 重新导入"
    )
    unknown = [f for f, _ in rows if f not in FN_FIELDS]
    if unknown:
        raise _error(
            f"{where} 有未知字段 {'、'.join(map(repr, unknown))}（应为 {'、'.join(FN_FIELDS)} 之一）：{fix}"
        )
    try:
        return check_fn_record(dict(rows))
    except ParkDataError as exc:
        raise _error(
            f"{where} 的社会风险判据常数（GB 36894 F-N）有误：{fn_problems_zh(exc)}。{fix}"
        ) from None


# -- export -----------------------------------------------------------------------------------------------------
def population_geotiff(raster: PopulationRaster) -> bytes:
    """The grid as a GeoTIFF (float64, band 1 night, band 2 day when it differs) that
    :func:`geodata.population.read_population_raster` reads back to the same cells, transform and CRS."""
    from affine import Affine
    from rasterio.crs import CRS
    from rasterio.io import MemoryFile

    night = np.asarray(raster.night, dtype=float)
    bands = [night] if raster.day is raster.night else [night, np.asarray(raster.day, dtype=float)]
    ny, nx = night.shape
    profile = {
        "driver": "GTiff",
        "width": nx,
        "height": ny,
        "count": len(bands),
        "dtype": "float64",
        "crs": CRS.from_wkt(pyproj.CRS.from_user_input(raster.crs).to_wkt()),
        "transform": Affine(*raster.transform),
    }
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            for i, band in enumerate(bands, 1):
                dst.write(band, i)
        return bytes(mem.read())
