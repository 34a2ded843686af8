"""Writing tables INTO an existing park GeoPackage without ever leaving it half-written (one copy of the rule)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

__all__ = ["write_into_gpkg"]


def write_into_gpkg(path: str | os.PathLike, write: Callable[[Path], None], *, what_zh: str) -> None:
    """Run ``write(copy)`` on a copy of the park file and move the copy over it.

    The file is copied to a temporary file in its folder, ``write`` changes the copy (one SQLite transaction is the
    writer's job), the copy is flushed to disk and moved over ``path`` (:func:`os.replace`); on any error the
    original is untouched and the temporary file and its SQLite side files are removed.

    Raises
    ------
    ValueError
        ``path`` is not an existing ``.gpkg`` file (the message names ``what_zh``, what was to be written).
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg" or not path.is_file():
        raise ValueError(
            f"园区文件 {path} 不存在或不是 GeoPackage（.gpkg）：{what_zh}只能写入 .gpkg 园区文件"
        )
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp.gpkg")
    try:
        shutil.copyfile(path, tmp)
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        raise
