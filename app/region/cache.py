"""Results of a region's parks cached by the content hash of each park's inputs.

The key of a park is the SHA-256 of: the cache format, the park file's bytes, the bytes of its optional population
raster (``<park>.population.tif``, :mod:`geodata.population`) and the run's :class:`app.region.compute.RegionOptions`.
A park file that did not change keeps its key, so a re-run recomputes only the parks whose inputs changed (a moved or
renamed file with the same contents keeps its result too). Entries live in ``<region>/.parkrisk_region_cache/`` as
one JSON file per park, written atomically (temporary file in the same folder, fsync, :func:`os.replace`): a crash
leaves the old entry or the new one, never half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

__all__ = ["CACHE_DIR", "CACHE_FORMAT", "park_key", "read_entry", "write_entry"]

CACHE_DIR = ".parkrisk_region_cache"
CACHE_FORMAT = "parkrisk-region-2"  # 2: societal risk (PLL, F-N verdict) and the population grid
_CHUNK = 1 << 20


def _feed(h: Any, path: Path) -> None:
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)


def park_key(path: str | os.PathLike, options_key: str) -> str:
    """The content hash of a park's inputs (hex SHA-256), see the module docstring."""
    from geodata.population import population_raster_path

    path = Path(path)
    h = hashlib.sha256(CACHE_FORMAT.encode())
    h.update(b"\0park\0")
    _feed(h, path)
    pop = population_raster_path(path)
    if pop.exists():
        h.update(b"\0population\0")
        _feed(h, pop)
    h.update(b"\0options\0" + options_key.encode())
    return h.hexdigest()


def _entry_path(folder: Path, park_file: str) -> Path:
    return folder / CACHE_DIR / f"{Path(park_file).stem}.json"


def read_entry(folder: str | os.PathLike, park_file: str, key: str) -> dict[str, Any] | None:
    """The cached result of ``park_file`` when its entry has ``key``, else None (missing, stale or unreadable)."""
    p = _entry_path(Path(folder), park_file)
    try:
        entry = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("result"), dict):
        return None
    return entry["result"]


def write_entry(folder: str | os.PathLike, park_file: str, key: str, result: dict[str, Any]) -> Path:
    """Write the entry of ``park_file`` atomically; returns its path."""
    p = _entry_path(Path(folder), park_file)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.stem}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            json.dump({"key": key, "result": result}, f, ensure_ascii=False, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return p
