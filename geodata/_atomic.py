"""Writing tables INTO an existing park GeoPackage without ever leaving it half-written (one copy of the rule)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["write_into_gpkg", "gpkg_lock", "replace_durably", "discard"]

_HELD = (
    threading.local()
)  # lock files this thread holds, with their depth (the lock is re-entrant per thread)


@contextlib.contextmanager
def gpkg_lock(path: str | os.PathLike, *, exclusive: bool = True) -> Iterator[None]:
    """Hold the lock of a GeoPackage's folder (``flock`` of the folder itself: no lock file is left behind):
    exclusive for writers — every copy-write-replace of a park file holds it, so two writers never lose each
    other's change — and shared for readers that read several tables of one version. Re-entrant within a thread."""
    folder = Path(path).resolve().parent
    held = getattr(_HELD, "paths", None)
    if held is None:
        held = _HELD.paths = {}
    key = str(folder)
    if key in held:  # this thread holds it already
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        held[key] = 1
        yield
    finally:
        held.pop(key, None)
        os.close(fd)  # releases the lock


def write_into_gpkg(path: str | os.PathLike, write: Callable[[Path], None], *, what_zh: str) -> None:
    """Run ``write(copy)`` on a copy of the park file and move the copy over it.

    Under the file's exclusive lock (:func:`gpkg_lock`), the file is copied to a temporary file in its folder,
    ``write`` changes the copy (one SQLite transaction is the
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
    with gpkg_lock(path):  # no other writer copies the file between our copy and our replace
        try:
            shutil.copyfile(path, tmp)
            write(tmp)
        except BaseException:
            discard(tmp)
            raise
        replace_durably(tmp, path)


def discard(tmp: str | os.PathLike) -> None:
    """Remove a temporary GeoPackage and its SQLite side files (journal, WAL, shared memory)."""
    for leftover in (Path(tmp), Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)


def replace_durably(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Flush the finished file ``tmp`` to disk and move it over ``path`` in one step (:func:`os.replace`); on any
    error ``path`` is untouched and ``tmp`` is discarded. Callers writing into a park file hold :func:`gpkg_lock`."""
    try:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise
