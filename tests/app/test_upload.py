"""Sidebar uploads: GeoPackage, XLSX workbook or a ZIP of layer files, with the coordinate system of the file.

Limits (issue 13, finding 6): expanded size, number of files and rows per sheet, a quota of the upload folder,
clean-up at start-up and when a session replaces its upload, and a Chinese message for every refused archive.
Also finding 11: ``streamlit run app/main.py`` listens on localhost only unless the user asks otherwise.
"""

from __future__ import annotations

import asyncio
import io
import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
import streamlit as st

from app import state


@pytest.fixture(autouse=True)
def _fresh_session(monkeypatch, tmp_path):
    for key in [k for k in os.environ if k.startswith("PARKRISK_UPLOAD_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PARKRISK_UPLOAD_DIR", str(tmp_path / "uploads"))
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
    assert _leftovers() == []


# --- limits, refusals and clean-up (issue 13, finding 6) ----------------------------------------------------------

MB = 1024 * 1024


def _upload_dir() -> Path:
    return Path(os.environ["PARKRISK_UPLOAD_DIR"])


def _leftovers() -> list[Path]:
    """Everything in the upload folder (nothing may remain after a refused upload)."""
    root = _upload_dir()
    return sorted(root.iterdir()) if root.exists() else []


def _zeros_zip(members: dict[str, int]) -> bytes:
    """A ZIP whose members are ``size`` zero bytes each, written in chunks (a few kB compressed)."""
    buf = io.BytesIO()
    chunk = bytes(MB)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, size in members.items():
            with zf.open(name, "w", force_zip64=size > 2**31) as out:
                for start in range(0, size, MB):
                    out.write(chunk[: min(MB, size - start)])
    return buf.getvalue()


def _patch_headers(
    data: bytes, *, flag: int = 0, method: int | None = None, size: int | None = None
) -> bytes:
    """Edit every local and central header by hand: OR ``flag`` into the flag bits, set the compression method and
    the declared uncompressed size (as a forged or encrypted archive would carry them)."""
    out = bytearray(data)
    for sig, flag_at, method_at, size_at in ((b"PK\x03\x04", 6, 8, 22), (b"PK\x01\x02", 8, 10, 24)):
        pos = out.find(sig)
        while pos >= 0:
            (bits,) = struct.unpack_from("<H", out, pos + flag_at)
            struct.pack_into("<H", out, pos + flag_at, bits | flag)
            if method is not None:
                struct.pack_into("<H", out, pos + method_at, method)
            if size is not None:
                struct.pack_into("<I", out, pos + size_at, size)
            pos = out.find(sig, pos + 4)
    return bytes(out)


def test_zip_bomb_is_refused_before_unpacking_with_the_default_limit():
    """fails before: the old limit was 2 GB, so 201 MB of zeros (about 200 kB zipped) were unpacked to disk."""
    data = _zeros_zip({"园区/installations.csv": 201 * MB})
    assert len(data) < 1 * MB
    with pytest.raises(ValueError) as err:
        state.save_upload("bomb.zip", data)
    message = str(err.value)
    assert "压缩包 'bomb.zip'" in message and "解压后大小 201.0 MB 超过上限 200 MB" in message
    assert "PARKRISK_UPLOAD_MAX_MB" in message
    assert _leftovers() == [] and "parkrisk_upload" not in st.session_state


def test_expanded_size_limit_is_a_setting(monkeypatch):
    """fails before: there was no PARKRISK_UPLOAD_MAX_MB; 3 MB of zeros in 3 members passed."""
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_MB", "2")
    data = _zeros_zip({f"p/part{i}.csv": MB for i in range(3)})
    with pytest.raises(
        ValueError, match=r"解压后大小 3\.0 MB 超过上限 2 MB（可用环境变量 PARKRISK_UPLOAD_MAX_MB"
    ):
        state.save_upload("三个文件.zip", data)
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_FILES", "2")
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_MB", "200")
    with pytest.raises(
        ValueError, match=r"含 3 个文件，超过上限 2 个（可用环境变量 PARKRISK_UPLOAD_MAX_FILES"
    ):
        state.save_upload("三个文件.zip", data)
    assert _leftovers() == []


def test_zip_with_a_lying_header_is_refused_and_leaves_nothing(monkeypatch):
    """The headers declare 100 bytes for a 3 MB member: the declared total passes the 1 MB limit, the extraction
    finds the lie. fails before: the message was zipfile's English 'Bad CRC-32' and did not say what was wrong."""
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_MB", "1")
    data = _patch_headers(_zeros_zip({"p/installations.csv": 3 * MB}), size=100)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.infolist()[0].file_size == 100
    with pytest.raises(ValueError) as err:
        state.save_upload("伪造.zip", data)
    message = str(err.value)
    assert "压缩包 '伪造.zip'" in message and "'p/installations.csv'" in message
    assert "与文件头声明" in message and "Bad CRC" not in message
    assert _leftovers() == []


def test_unpacking_stops_at_the_limit_even_when_the_decompressor_gives_more_than_declared(monkeypatch):
    """A decompressor that does not enforce the declared sizes (zipfile does; a lying third-party one need not):
    the running byte count stops the extraction at the limit. fails before: the limit was 2 GB."""
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_MB", "1")
    data = _zip({f"p/f{i}.csv": b"x" * 100 for i in range(3)})

    def endless_open(self, info, *a, **k):
        return io.BytesIO(bytes(MB // 2))  # 0.5 MB for a member that declares 100 bytes

    monkeypatch.setattr(zipfile.ZipFile, "open", endless_open)
    with pytest.raises(ValueError, match="压缩包 'p.zip'.*与文件头声明"):
        state.save_upload("p.zip", data)
    assert _leftovers() == []


@pytest.mark.parametrize(
    ("flag", "method", "expected"),
    [
        (0x1, None, "已加密"),  # traditional PKWARE encryption: flag bit 0
        (0x1, 99, "AES 加密（压缩方式 99）"),  # WinZip AES
        (0x0, 97, "压缩方式 97"),  # WavPack: not supported by zipfile
    ],
)
def test_encrypted_or_unsupported_zip_is_refused_in_chinese(flag, method, expected):
    """fails before: zipfile raised RuntimeError/NotImplementedError, shown as a traceback, and a *.tmp folder was
    left behind."""
    data = _patch_headers(
        _zip({"p/installations.csv": b"unit_id,lon,lat\nU1,1,2\n"}), flag=flag, method=method
    )
    with pytest.raises(ValueError) as err:
        state.save_upload("加密.zip", data)
    message = str(err.value)
    assert "压缩包 '加密.zip'" in message and "'p/installations.csv'" in message and expected in message
    assert "重新压缩" in message
    assert _leftovers() == []


def _park_workbook(park, path: Path) -> Path:
    """The park as an Excel workbook, one sheet per layer (points as lon/lat, other geometries as WKT)."""
    import pandas as pd

    with pd.ExcelWriter(path) as xl:
        for name, gdf in park.layers.items():
            if gdf is None or gdf.empty:
                continue
            table = pd.DataFrame(gdf.drop(columns="geometry"))
            if (gdf.geom_type == "Point").all():
                table["lon"], table["lat"] = gdf.geometry.x, gdf.geometry.y
            else:
                table["wkt"] = gdf.geometry.to_wkt()
            table.to_excel(xl, sheet_name=name, index=False)
    return path


def test_xlsx_sheet_with_more_rows_than_the_cap_is_refused(monkeypatch, small_park, tmp_path):
    """The workbook opens with the default cap; with PARKRISK_UPLOAD_MAX_ROWS=3 the 6-row installations sheet is
    refused, naming the sheet, the cap and the variable. fails before: there was no row cap."""
    data = _park_workbook(small_park, tmp_path / "park.xlsx").read_bytes()
    state.save_upload("园区.xlsx", data)
    park, _, err = state.try_get_park()
    assert err is None and len(park.installations) == 6
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_ROWS", "3")
    park, _, err = state.try_get_park()
    assert park is None
    text = err.report.to_text_zh()
    assert "工作表「installations」超过 3 行的上限" in text and "PARKRISK_UPLOAD_MAX_ROWS" in text


def _workbook_broken_after(rows: int, path: Path) -> Path:
    """A one-sheet workbook without a <dimension> element (as openpyxl's write-only mode and crafted files make
    it) whose sheet XML is valid for ``rows`` rows (about 100 kB) and garbage after them."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("installations")
    sheet.append(["unit_id", "name", "lon", "lat"])
    for i in range(rows):
        sheet.append([f"U{i}", f"储罐{i:05d}" * 4, 113.0, 30.0])
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    assert b"<dimension" not in xml
    parts["xl/worksheets/sheet1.xml"] = xml[: xml.rindex(b"</sheetData>")] + b"<row r=<<< not xml at all"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_xlsx_rows_are_streamed_and_reading_stops_at_the_cap(monkeypatch, tmp_path):
    """Rows past the cap are never parsed: the garbage after row 1000 is not reached with a cap of 10, while a
    full read fails on it. fails before: openpyxl's read-only mode parsed a sheet without <dimension> to its end
    when opening it (25 s for a 600,000-row sheet with a cap of 1,000 rows)."""
    path = _workbook_broken_after(1000, tmp_path / "installations.xlsx")
    state.save_upload("装置.xlsx", path.read_bytes())
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_ROWS", "10")
    park, _, err = state.try_get_park()
    text = err.report.to_text_zh()
    assert "工作表「installations」超过 10 行的上限" in text and "文件无法读取：" not in text
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_ROWS", "100000")
    park, _, err = state.try_get_park()
    assert "文件无法读取：" in err.report.to_text_zh()  # the garbage is there for a reader that goes on


def test_xlsx_that_would_expand_beyond_the_limit_is_refused(monkeypatch, small_park, tmp_path):
    """An XLSX is a ZIP too: its declared parts count against the expanded-size limit. fails before: accepted."""
    data = _park_workbook(small_park, tmp_path / "park.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        declared = sum(i.file_size for i in zf.infolist())
    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_MB", f"{declared / 2 / MB:.6f}")
    with pytest.raises(ValueError, match="工作簿 '园区.xlsx' 解压后大小"):
        state.save_upload("园区.xlsx", data)
    with pytest.raises(ValueError, match="不是有效的 Excel 工作簿"):
        state.save_upload("园区.xlsx", b"not a zip at all")
    assert _leftovers() == []


def test_quota_of_the_upload_folder(monkeypatch, small_park_path):
    """fails before: there was no quota; the folder grew with every upload."""
    from app import uploads

    size = small_park_path.stat().st_size
    monkeypatch.setenv("PARKRISK_UPLOAD_QUOTA_MB", f"{1.5 * size / MB:.6f}")
    old = _upload_dir() / "0123456789abcdef.gpkg"
    old.parent.mkdir(parents=True)
    old.write_bytes(bytes(size))  # another session's upload, fresh
    with pytest.raises(ValueError) as err:
        state.save_upload("园区.gpkg", small_park_path.read_bytes())
    message = str(err.value)
    assert "上传文件夹" in message and "总配额" in message and "PARKRISK_UPLOAD_QUOTA_MB" in message
    assert _leftovers() == [old]
    # once that upload is older than the maximum age it is cleaned up to make room
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    path = state.save_upload("园区.gpkg", small_park_path.read_bytes())
    assert path.exists() and not old.exists()
    assert uploads.folder_usage(_upload_dir()) == size


def test_start_up_cleans_old_uploads_and_partial_extractions(monkeypatch):
    """The server's lifespan removes uploads older than the maximum age and stray *.tmp folders.
    fails before: uploads stayed in the temp folder for ever."""
    from app import main

    monkeypatch.setenv("PARKRISK_UPLOAD_MAX_AGE_HOURS", "2")
    root = _upload_dir()
    (root / "aaaa").mkdir(parents=True)
    (root / "aaaa" / "installations.csv").write_text("x")
    (root / "bbbb.gpkg").write_bytes(b"old")
    (root / "cccc.xlsx").write_bytes(b"fresh")
    (root / "dddd.123.456.tmp").mkdir()
    (root / "dddd.123.456.tmp" / "half.csv").write_text("x")
    three_hours_ago = time.time() - 3 * 3600
    for name in ("aaaa", "bbbb.gpkg", "dddd.123.456.tmp"):
        os.utime(root / name, (three_hours_ago, three_hours_ago))
    monkeypatch.setattr(main, "_warm_up", lambda: None)

    async def start_and_stop():
        async with main._lifespan(None):
            pass

    asyncio.run(start_and_stop())
    assert _leftovers() == [root / "cccc.xlsx"]


def test_a_new_upload_deletes_the_previous_one_of_the_session(small_park_path):
    """Streamlit has no session-end hook: a session's previous upload goes when it uploads another one or removes
    its upload, unless another session holds the same file. fails before: every upload stayed."""
    from app import uploads
    from app.settings import load_upload_limits

    limits = load_upload_limits(os.environ)
    gpkg = small_park_path.read_bytes()
    first = uploads.save_upload("a.zip", _zip({"a/park.gpkg": gpkg}), limits=limits, owner="session-1")
    uploads.save_upload("a.zip", _zip({"a/park.gpkg": gpkg}), limits=limits, owner="session-2")
    second = uploads.save_upload("b.gpkg", gpkg, limits=limits, owner="session-1")
    assert first.exists() and second.exists()  # session-2 still holds the first upload
    uploads.release("session-2", limits)
    assert not first.exists() and second.exists()
    uploads.release("session-1", limits)
    assert _leftovers() == []
    # through the session state: removing the upload in the sidebar deletes it
    path = state.save_upload("c.gpkg", gpkg)
    state.clear_upload()
    assert not path.exists() and "parkrisk_upload" not in st.session_state


# --- finding 11: `streamlit run app/main.py` listens on localhost ------------------------------------------------

_SHOW_ADDRESS = """
import sys
from streamlit.web import bootstrap, cli
from streamlit.web.server.starlette import starlette_server as server


def instead_of_serving(*args, **kwargs):  # where `streamlit run` would start uvicorn: show the address it binds
    address = server._get_server_address()
    print(address, server._get_bind_address(address))


bootstrap.run_asgi_app = instead_of_serving
cli.main(["run", *sys.argv[1:]], standalone_mode=False)
"""


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        (None, None, "127.0.0.1 127.0.0.1"),
        ("0.0.0.0", None, "0.0.0.0 0.0.0.0"),  # --server.address 0.0.0.0: the user asks for the network
        (None, "0.0.0.0", "0.0.0.0 0.0.0.0"),  # STREAMLIT_SERVER_ADDRESS=0.0.0.0
    ],
)
def test_streamlit_run_app_main_binds_to_localhost_unless_asked(tmp_path, flag, env, expected):
    """The address `streamlit run app/main.py` binds: the real command line (flags, STREAMLIT_* variables, config
    files, the st.App discovery) up to where uvicorn would start, run from a folder other than the repository (so
    the repository's .streamlit/config.toml does not apply). fails before: no address was configured and uvicorn
    bound '::' (every interface)."""
    main_py = Path(state.__file__).with_name("main.py")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    environ["HOME"] = str(tmp_path)  # no ~/.streamlit/config.toml of the machine
    if env:
        environ["STREAMLIT_SERVER_ADDRESS"] = env
    environ["STREAMLIT_SERVER_HEADLESS"] = "true"
    argv = [sys.executable, "-c", _SHOW_ADDRESS, str(main_py)] + (["--server.address", flag] if flag else [])
    done = subprocess.run(argv, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == expected
