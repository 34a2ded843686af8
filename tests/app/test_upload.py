"""Sidebar uploads: GeoPackage, XLSX workbook or a ZIP of layer files, with the coordinate system of the file."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
import shapely
import streamlit as st

from app import state


@pytest.fixture(autouse=True)
def _fresh_session():
    st.session_state.pop("parkrisk_upload", None)
    yield
    st.session_state.pop("parkrisk_upload", None)


def _zip(files: dict[str, bytes], *, utf8: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _layer_files(park, folder: str, transform=None) -> dict[str, bytes]:
    out = {}
    for name, gdf in park.layers.items():
        if gdf is None or gdf.empty:
            continue
        g = gdf.copy()
        if transform is not None:
            g["geometry"] = g.geometry.apply(lambda geom: shapely.transform(geom, transform))
        for col in g.columns:  # dates as ISO text, as a GIS exports them to GeoJSON
            if col != "geometry" and str(g[col].dtype).startswith("datetime"):
                g[col] = g[col].dt.strftime("%Y-%m-%d")
        out[f"{folder}/{name}.geojson"] = g.to_json(drop_id=True).encode("utf-8")
    return out


def test_zip_of_geojson_layers_in_gcj02(small_park):
    """A folder of GeoJSON layers whose coordinates were picked on a Gaode (GCJ-02) map, zipped with a Chinese
    folder name: unpacked, read as GCJ-02 and converted back to WGS84."""
    from coord_convert.transform import wgs2gcj

    def to_gcj(a):
        return np.array([wgs2gcj(x, y) for x, y in a])

    data = _zip(_layer_files(small_park, "我的园区", to_gcj))
    path = state.save_upload("园区图层.zip", data, "GCJ-02")
    assert path.is_dir() and path.name == "我的园区"
    src = state.current_source()
    assert src.kind == "upload" and src.coords == "GCJ-02" and "GCJ-02" in src.label_zh
    park, _, err = state.try_get_park()
    assert err is None
    assert park.installations.geometry.geom_equals_exact(
        small_park.installations.geometry, tolerance=2e-6
    ).all()
    # read as WGS84 the same files land hundreds of metres away
    shifted = state.load_park_cached(path, "WGS84").installations.to_crs(4547)
    assert (shifted.distance(small_park.installations.to_crs(4547)) > 300).all()


def test_zip_holding_one_geopackage(small_park_path):
    path = state.save_upload("park.zip", _zip({"导出/park.gpkg": small_park_path.read_bytes()}))
    assert path.suffix == ".gpkg"
    park, _, err = state.try_get_park()
    assert err is None and len(park.installations) > 0


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../evil/installations.geojson": b"{}"}, "不安全"),
        ({"/etc/installations.geojson": b"{}"}, "不安全"),
        ({"notes/readme.txt": b"hello"}, "没有找到图层文件"),
        ({"a/parks.geojson": b"{}", "b/installations.geojson": b"{}"}, "分散在多个文件夹"),
    ],
)
def test_unsafe_or_empty_zip_is_refused_in_chinese(files, message):
    with pytest.raises(ValueError, match=message):
        state.save_upload("园区.zip", _zip(files))
    assert "parkrisk_upload" not in st.session_state


def test_damaged_zip_and_unknown_coordinate_system():
    with pytest.raises(ValueError, match="不是有效的 ZIP"):
        state.save_upload("园区.zip", b"PK\x03\x04 broken")
    with pytest.raises(ValueError, match="坐标系"):
        state.save_upload("园区.gpkg", b"x", "Mercator")


def test_zip_member_larger_than_declared_is_refused(monkeypatch):
    """A member that expands beyond its declared size (zip bomb) is refused — by zipfile's own CRC/size check or
    by the byte count while copying — with a Chinese message, and nothing is left behind."""
    data = _zip({"p/parks.geojson": b"x" * 5000})
    real_open = zipfile.ZipFile.open

    def lying_open(self, info, *a, **k):
        info.file_size = 10  # the archive "declares" 10 bytes
        return real_open(self, info, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "open", lying_open)
    with pytest.raises(ValueError, match="压缩包 'bomb.zip'"):
        state.save_upload("bomb.zip", data)
    leftovers = [p for p in state._UPLOAD_DIR.glob("*.tmp")]
    assert leftovers == []
