"""One cache for what the app computes from a park, shared by every session of the server process.

A page asks :func:`shared` for the cache of one computation and calls :meth:`LRUCache.get_or_compute` with a key
that starts with the park file's version (:func:`file_version`: resolved path, coordinate system, modification time
and size — the same version :func:`app.state.load_park_cached` loads by) followed by the call's arguments. So:

- an edited or re-uploaded park file is a new key, never a stale result;
- every cache is bounded: beyond ``max_entries`` the least recently used result is dropped;
- sessions share results (a park analysed in one browser is ready in the next), and a result that is being
  computed is computed once: a second session asking for the same key waits for it instead of starting again.

Results are shared objects: treat them as read-only.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

__all__ = ["ParkVersion", "file_version", "LRUCache", "shared"]

T = TypeVar("T")

#: Version of a park file: (resolved path, coordinate system, mtime [ns], size [bytes]).
ParkVersion = tuple[str, str, int, int]


def file_version(path: str | os.PathLike, coords: str = "WGS84") -> ParkVersion:
    """Version of a park file or folder (for a folder: the newest modification time and the total size; for a
    file, its population raster ``<park>.population.tif`` counts too).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    """
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(path)
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        mtime_ns = max((p.stat().st_mtime_ns for p in files), default=0)
        size = sum(p.stat().st_size for p in files)
    else:
        st = path.stat()
        mtime_ns, size = st.st_mtime_ns, st.st_size
        from geodata.population import population_raster_path

        pop = population_raster_path(path)  # <park>.population.tif beside the file is part of the park's data
        if pop.is_file():
            ps = pop.stat()
            mtime_ns, size = max(mtime_ns, ps.st_mtime_ns), size + ps.st_size
    return str(path), coords, mtime_ns, size


class LRUCache:
    """A thread-safe mapping of at most ``max_entries`` results, least recently used dropped first.

    Parameters
    ----------
    max_entries : int
        Largest number of results kept (at least 1).
    """

    def __init__(self, max_entries: int) -> None:
        if int(max_entries) < 1:
            raise ValueError(f"max_entries={max_entries!r} 必须 ≥ 1 / must be at least 1")
        self.max_entries = int(max_entries)
        self._data: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def clear(self) -> None:
        """Drop every result."""
        with self._lock:
            self._data.clear()

    def _lookup(self, key: Hashable) -> tuple[bool, object]:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return True, self._data[key]
            return False, None

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result stored under ``key``, or ``compute()`` stored under it (an exception is raised, not stored).

        While one caller computes a key, other callers of the same key wait and then get its result.
        """
        found, value = self._lookup(key)
        if found:
            return value  # type: ignore[return-value]
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            found, value = self._lookup(key)
            if found:
                return value  # type: ignore[return-value]
            try:
                result = compute()
                with self._lock:
                    self._data[key] = result
                    self._data.move_to_end(key)
                    while len(self._data) > self.max_entries:
                        self._data.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return result


_CACHES: dict[str, LRUCache] = {}
_CACHES_LOCK = threading.Lock()


def shared(name: str, *, max_entries: int = 8) -> LRUCache:
    """The process-wide cache called ``name`` (e.g. ``"pipelines.assess"``), made on first use with
    ``max_entries``; later calls return the same cache."""
    with _CACHES_LOCK:
        cache = _CACHES.get(name)
        if cache is None:
            cache = _CACHES[name] = LRUCache(max_entries)
        return cache
