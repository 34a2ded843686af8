"""Uploaded park files on disk: size, file and row limits, safe unpacking, a quota, and clean-up.

No Streamlit here (:mod:`app.state` keeps thin wrappers that pass the session), so every rule is testable alone.
The limits are :class:`app.settings.UploadLimits` (environment variables ``PARKRISK_UPLOAD_*``); every refusal is
a ``ValueError`` with a Chinese message naming the file, the member, the size or count, the limit and the variable
that raises it.

An upload is stored in the upload folder under the hash of its content (``<hash>.gpkg``, ``<hash>.xlsx`` or the
folder ``<hash>/`` of an unpacked ZIP), so the same file uploaded twice is stored and loaded once. A ZIP is
checked from its declared sizes before anything is written (files, expanded size, encryption, compression method,
paths) and again while it is unpacked (bytes actually written against the declared sizes and the limit), into a
``*.tmp`` folder that is renamed when complete and removed on any failure. An XLSX is a ZIP too: its declared
parts count against the same expanded-size limit. Rows are capped where the tables are read
(:func:`geodata.io.read_layers` with ``max_rows``).

Lifetime. Streamlit has no reliable session-end hook (a closed tab or a lost connection is not reported to the
script), so uploads are deleted

- when a session uploads another file or removes its upload (:func:`release`), unless another session of this
  server still holds the same file;
- at server start-up (:func:`cleanup`, called by the lifespan of :mod:`app.main`): every upload older than the
  maximum age and every stray ``*.tmp`` folder of an interrupted extraction;
- whenever the quota is checked (each new upload): the same age-based clean-up runs first.

An upload a session still uses is thus deleted after the maximum age at the latest; the page then says that the
uploaded file no longer exists and asks for it again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import threading
import time
import zipfile
from pathlib import Path

from app.settings import UPLOAD_ENV, UploadLimits

__all__ = ["UPLOAD_SUFFIXES", "save_upload", "release", "cleanup", "folder_usage", "size_text"]

log = logging.getLogger(__name__)

#: File types accepted by the sidebar uploader: a GeoPackage, an Excel workbook (one sheet per layer) or a ZIP of a
#: folder of layer files (GeoJSON, Shapefile with its .shx/.dbf/.prj, CSV, XLSX), as :func:`geodata.load_park` reads.
UPLOAD_SUFFIXES: tuple[str, ...] = ("gpkg", "xlsx", "zip")
#: Compression methods :mod:`zipfile` can read: stored, deflate, bzip2, LZMA.
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_AES_METHOD = 99  # WinZip AES encryption
_TMP_GRACE_S = 600.0  # a *.tmp folder older than this belongs to an interrupted extraction

_LOCK = threading.Lock()  # one upload at a time per server: the quota check and the write are one step
_HELD: dict[tuple[str, str], Path] = {}  # (upload folder, session) -> the entry the session uses


def size_text(n: float) -> str:
    """A byte count for people: ``1.85 GiB``, ``201.0 MB`` (1 MB = 1024 × 1024 bytes)."""
    if n >= 1024**3:
        return f"{n / 1024**3:.2f} GiB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{n / 1024:.1f} kB"


def _hint(field: str) -> str:
    return f"（可用环境变量 {UPLOAD_ENV[field]} 调整）"


def _too_big(what: str, size: float, limits: UploadLimits) -> ValueError:
    return ValueError(
        f"{what}解压后大小 {size_text(size)} 超过上限 {limits.max_mb:g} MB{_hint('max_mb')}；"
        "请删去与园区无关的文件，或拆分后分别上传"
    )


def folder_usage(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 when it does not exist)."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError:  # removed meanwhile
                continue
    return total


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def cleanup(limits: UploadLimits, *, now: float | None = None) -> list[Path]:
    """Delete the uploads older than ``limits.max_age_hours`` and stray ``*.tmp`` folders; return what was deleted.

    Run at server start-up and before every quota check. Age is the time since the upload was last stored (a
    session uploading the same file again renews it).
    """
    folder = limits.folder
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    removed = []
    for entry in folder.iterdir():
        try:
            age = now - entry.lstat().st_mtime
        except OSError:
            continue
        limit = min(_TMP_GRACE_S, limits.max_age_s) if entry.name.endswith(".tmp") else limits.max_age_s
        if age > limit:
            _remove(entry)
            removed.append(entry)
    if removed:
        log.info("removed %d old upload(s) from %s", len(removed), folder)
    return removed


def _entry(path: Path, folder: Path) -> Path:
    """The top-level item of the upload folder that holds ``path``."""
    return folder / path.relative_to(folder).parts[0]


def release(owner: str, limits: UploadLimits) -> None:
    """Forget ``owner``'s upload and delete it unless another session of this server holds the same file."""
    key = (str(limits.folder), owner)
    with _LOCK:
        entry = _HELD.pop(key, None)
        if entry is not None and entry not in _HELD.values():
            _remove(entry)


def _hold(owner: str, entry: Path, limits: UploadLimits) -> None:
    """Record that ``owner`` uses ``entry``; its previous upload goes unless another session holds it (under
    ``_LOCK``)."""
    key = (str(limits.folder), owner)
    previous = _HELD.get(key)
    _HELD[key] = entry
    if previous is not None and previous != entry and previous not in _HELD.values():
        _remove(previous)


def _ensure_room(needed: int, limits: UploadLimits) -> None:
    """Refuse when the upload folder would exceed its quota with ``needed`` more bytes (after removing old uploads)."""
    cleanup(limits)
    used = folder_usage(limits.folder)
    if used + needed > limits.quota_bytes:
        raise ValueError(
            f"上传文件夹 {limits.folder} 已占用 {size_text(used)}，加上本次上传的 {size_text(needed)} 超过总配额 "
            f"{limits.quota_mb:g} MB{_hint('quota_mb')}。其他会话的上传在 {limits.max_age_hours:g} 小时后自动删除"
            f"{_hint('max_age_hours')}，请稍后再试或请管理员调整配额"
        )


def save_upload(name: str, data: bytes, *, limits: UploadLimits, owner: str) -> Path:
    """Check an uploaded park file against the limits, store it and return the path to load.

    Parameters
    ----------
    name : str
        The uploaded file name (its suffix selects the format).
    data : bytes
        File contents: a GeoPackage, an XLSX workbook, or a ZIP of a folder of layer files (unpacked here).
    limits : UploadLimits
        Expanded size, files, quota and age (:func:`app.settings.load_upload_limits`).
    owner : str
        The session storing it; its previous upload is deleted (:func:`release`).

    Returns
    -------
    Path
        The stored file or the park inside the unpacked folder.

    Raises
    ------
    ValueError
        Wrong file type, empty or too large file, a workbook or archive that is damaged, encrypted, compressed in
        an unsupported way, unsafe (paths leaving its folder), beyond a limit or without layer files, or a full
        upload folder (Chinese message).
    """
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_SUFFIXES:
        raise ValueError(
            f"上传文件 {name!r} 的类型 .{suffix} 不受支持；请上传 GeoPackage（.gpkg）、Excel 工作簿（.xlsx，每个图层"
            f"一个工作表）或包含各图层文件的 ZIP 压缩包 (allowed: {', '.join('.' + s for s in UPLOAD_SUFFIXES)})"
        )
    if not data:
        raise ValueError(f"上传文件 {name!r} 为空（0 字节），请重新导出后上传")
    if len(data) > limits.max_bytes:
        raise ValueError(
            f"上传文件 {name!r} 大小 {size_text(len(data))} 超过上限 {limits.max_mb:g} MB{_hint('max_mb')}"
        )
    digest = hashlib.sha256(data).hexdigest()[:32]
    if suffix == "zip":
        needed = _check_archive(name, data, limits, what="压缩包")
    elif suffix == "xlsx":
        _check_archive(name, data, limits, what="工作簿")
        needed = len(data)
    else:
        needed = len(data)
    folder = limits.folder
    with _LOCK:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        entry = folder / (digest if suffix == "zip" else f"{digest}.{suffix}")
        if not entry.exists():
            _ensure_room(needed, limits)
            if suffix == "zip":
                _unpack(name, data, entry, limits)
            else:
                tmp = entry.with_name(entry.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
                try:
                    tmp.write_bytes(data)
                    tmp.replace(entry)
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
        os.utime(entry)  # the age counts from the last time a session stored it
        try:
            path = _park_in(name, entry) if suffix == "zip" else entry
        except ValueError:
            if entry not in _HELD.values():
                _remove(entry)
            raise
        _hold(owner, entry, limits)
    return path


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name; ZIPs made on Chinese Windows store names in GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _open_zip(name: str, data: bytes, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        if what == "工作簿":
            raise ValueError(
                f"上传文件 {name!r} 不是有效的 Excel 工作簿（.xlsx）：{exc}。若设置了打开密码，请取消密码；"
                "请用 Excel 或 WPS 另存为 .xlsx 后重新上传"
            ) from None
        raise ValueError(f"上传文件 {name!r} 不是有效的 ZIP 压缩包（{exc}），请重新压缩后上传") from None


def _check_archive(name: str, data: bytes, limits: UploadLimits, *, what: str) -> int:
    """Check a ZIP (or XLSX) from its directory: members, encryption, compression method and declared expanded
    size; return the declared size."""
    with _open_zip(name, data, what) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if what == "压缩包" and len(infos) > limits.max_files:
            raise ValueError(
                f"压缩包 {name!r} 含 {len(infos)} 个文件，超过上限 {limits.max_files} 个{_hint('max_files')}；"
                "请只压缩园区图层文件"
            )
        for info in infos:
            member = _member_name(info)
            if info.compress_type == _AES_METHOD or info.compress_type not in _ZIP_METHODS:
                kind = "AES 加密（压缩方式 99）" if info.compress_type == _AES_METHOD else "不支持的压缩方式"
                raise ValueError(
                    f"{what} {name!r} 中的 {member!r} 使用了{kind}"
                    f"{'' if info.compress_type == _AES_METHOD else f'（压缩方式 {info.compress_type}）'}，"
                    "无法读取；请不加密、用标准（Deflate）方式重新压缩后上传"
                )
            if info.flag_bits & 0x1:
                raise ValueError(
                    f"{what} {name!r} 中的 {member!r} 已加密（设置了密码），无法读取；请取消密码后重新压缩上传"
                )
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_bytes:
            raise _too_big(f"{what} {name!r} ", declared, limits)
    return declared


def _safe_members(name: str, zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str, tuple[str, ...]]]:
    """The members to unpack (no folders, no macOS/hidden files) with their path parts; unsafe paths refused."""
    safe = []
    for info in zf.infolist():
        member = _member_name(info)
        if info.is_dir() or member.startswith("__MACOSX/") or Path(member).name.startswith("."):
            continue
        parts = Path(member.replace("\\", "/")).parts
        if member.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise ValueError(f"压缩包 {name!r} 中的路径 {member!r} 不安全（绝对路径或含 ..），已拒绝")
        safe.append((info, member, parts))
    return safe


def _lie(name: str, member: str) -> ValueError:
    return ValueError(
        f"压缩包 {name!r} 中的 {member!r} 解压后的内容与文件头声明的大小或校验值不符（压缩包损坏或被伪造），已拒绝；"
        "请重新压缩后上传"
    )


def _extract(name: str, zf: zipfile.ZipFile, tmp: Path, limits: UploadLimits) -> None:
    """Write the members into ``tmp``, counting the bytes against each declared size and the limit."""
    written_total = 0
    for info, member, parts in _safe_members(name, zf):
        out = tmp.joinpath(*parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            with zf.open(info) as src, open(out, "wb") as dst:
                written = 0
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    written_total += len(chunk)
                    if written > info.file_size:  # more than the header declared
                        raise _lie(name, member)
                    if written_total > limits.max_bytes:
                        raise _too_big(f"压缩包 {name!r} ", written_total, limits)
                    dst.write(chunk)
        except zipfile.BadZipFile as exc:  # zipfile stops at the declared size; the CRC then shows the lie
            if "CRC" in str(exc):
                raise _lie(name, member) from None
            raise ValueError(f"压缩包 {name!r} 中的 {member!r} 无法解压（{exc}），请重新压缩后上传") from None
        if out.suffix.lower() in (".xlsx", ".xlsm"):  # a workbook is a ZIP of its own
            _check_archive(f"{name}/{member}", out.read_bytes(), limits, what="工作簿")


def _unpack(name: str, data: bytes, target: Path, limits: UploadLimits) -> None:
    """Unpack a checked ZIP into ``target`` atomically: into ``*.tmp`` first, removed on any failure."""
    tmp = target.with_name(target.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.mkdir(mode=0o700, parents=True, exist_ok=False)
    try:
        with _open_zip(name, data, "压缩包") as zf:
            _extract(name, zf, tmp, limits)
        tmp.replace(target)
    except ValueError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except (OSError, RuntimeError, NotImplementedError, EOFError, zipfile.BadZipFile) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ValueError(f"压缩包 {name!r} 无法解压：{exc}。请检查磁盘空间，或重新压缩后上传") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _park_in(name: str, target: Path) -> Path:
    """The park inside an unpacked ZIP: its single GeoPackage/XLSX, or else the folder of the layer files (the
    archive's root, or its only top-level folder)."""
    from geodata import schema

    files = [p for p in target.rglob("*") if p.is_file()]
    singles = [p for p in files if p.suffix.lower() in (".gpkg", ".xlsx")]
    layer_files = [p for p in files if p.stem in schema.LAYERS]
    if len(singles) == 1 and not [p for p in layer_files if p.suffix.lower() not in (".gpkg", ".xlsx")]:
        return singles[0]
    folders = {p.parent for p in layer_files}
    if len(folders) == 1:
        return folders.pop()
    if not folders:
        names = "、".join(sorted(schema.LAYERS))
        raise ValueError(
            f"压缩包 {name!r} 中没有找到图层文件：文件应按图层命名（{names}），如 installations.geojson、"
            "installations.shp（含 .shx/.dbf/.prj）或 installations.csv"
        )
    raise ValueError(
        f"压缩包 {name!r} 中的图层文件分散在多个文件夹（{', '.join(sorted(str(f.relative_to(target)) for f in folders))}），"
        "请把同一园区的图层文件放在同一文件夹后重新压缩"
    )
