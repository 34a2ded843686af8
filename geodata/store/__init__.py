"""The one store through which rectification (一园一策) writes go: GeoPackage (embedded default) or PostGIS.

>>> from geodata.store import open_store, User
>>> store = open_store("park_rect.gpkg")                      # doctest: +SKIP
>>> admin = User("admin", "admin")
>>> item = store.get_item(admin, "R-001")                     # doctest: +SKIP
>>> store.transition(admin, "R-001", "in_progress", expected_version=item.version)   # doctest: +SKIP

Both backends implement :class:`RectificationStore`; see :mod:`geodata.store.base` for the calls and
:mod:`geodata.store.roles` for who may do what.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import pandas as pd

from geodata.store import lifecycle
from geodata.store.base import EDITABLE_COLUMNS, HISTORY_COLUMNS, RectificationStore
from geodata.store.errors import (
    ConcurrentEditError,
    DuplicateItemError,
    ImportProblem,
    ImportValidationError,
    ItemNotFoundError,
    PermissionDeniedError,
    StoreError,
    StoreSetupError,
    StoreWriteError,
)
from geodata.store.gpkg import GpkgStore
from geodata.store.lifecycle import IllegalTransitionError
from geodata.store.postgis import PostgisStore
from geodata.store.records import ITEM_COLUMNS, Item, normalise_record, to_iso_date
from geodata.store.roles import ROLE_LABELS_ZH, ROLES, User, can, can_see, redact_installations, require

__all__ = [
    "RectificationStore",
    "GpkgStore",
    "PostgisStore",
    "open_store",
    "is_postgres_target",
    "data_dir",
    "default_store_path",
    "store_for_park",
    "layer_records",
    "SYSTEM_USER",
    "User",
    "ROLES",
    "ROLE_LABELS_ZH",
    "can",
    "can_see",
    "require",
    "redact_installations",
    "Item",
    "ITEM_COLUMNS",
    "EDITABLE_COLUMNS",
    "HISTORY_COLUMNS",
    "normalise_record",
    "to_iso_date",
    "lifecycle",
    "StoreError",
    "StoreWriteError",
    "StoreSetupError",
    "ConcurrentEditError",
    "PermissionDeniedError",
    "ItemNotFoundError",
    "DuplicateItemError",
    "ImportValidationError",
    "ImportProblem",
    "IllegalTransitionError",
]

log = logging.getLogger(__name__)

#: The identity recorded when the store is initialised from a park file (an admin acting for the system).
SYSTEM_USER = User("system", "admin", display_name="系统初始化")


def is_postgres_target(target: str | os.PathLike) -> bool:
    """Whether a store target is a PostgreSQL connection string (URL or libpq key=value)."""
    text = str(target)
    return text.startswith(("postgresql://", "postgres://", "host=")) or " dbname=" in f" {text}"


def open_store(
    target: str | os.PathLike, *, schema: str = "parkrisk", owner: bool = False
) -> RectificationStore:
    """A store on ``target``: a ``postgresql://`` / ``postgres://`` URL (PostGIS) or a GeoPackage path.

    ``owner=True`` (``parkrisk rect init`` only) lets a PostGIS store connect as the role that owns its tables,
    to create or upgrade them; the application connects as a role that owns nothing (see
    :class:`~geodata.store.postgis.PostgisStore`). Ignored for GeoPackage.

    Raises
    ------
    ValueError
        If ``target`` is a path whose suffix is not ``.gpkg``.
    """
    text = str(target)
    if is_postgres_target(text):
        return PostgisStore(text, schema=schema, owner=owner)
    path = Path(target)
    if path.suffix.lower() != ".gpkg":
        raise ValueError(
            f"target={text!r}：请给出 .gpkg 文件路径或 postgresql:// 连接串 / expected a .gpkg path or a postgresql URL"
        )
    return GpkgStore(path)


def data_dir() -> Path:
    """Where user data lives: ``$PARKRISK_DATA_DIR``, else ``$XDG_DATA_HOME/parkrisk``, else
    ``~/.local/share/parkrisk`` (created when missing)."""
    env = os.environ.get("PARKRISK_DATA_DIR")
    if env:
        d = Path(env)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        d = Path(base) / "parkrisk"
    d.mkdir(parents=True, exist_ok=True)
    return d


def default_store_path(park_path: str | os.PathLike) -> Path:
    """The store file for a park file: ``<data_dir>/<park stem>-<hash of its absolute path>.rect.gpkg``.

    The hash keeps two parks with the same file name apart; the park file itself is never written.
    """
    p = Path(park_path).resolve()
    tag = hashlib.sha256(str(p).encode("utf-8")).hexdigest()[:8]
    return data_dir() / f"{p.stem}-{tag}.rect.gpkg"


def layer_records(rectifications: pd.DataFrame) -> list[dict]:
    """Records (dicts for :meth:`RectificationStore.create_items`) from a park's ``rectifications`` layer."""
    recs = []
    for row in rectifications.itertuples(index=False):
        d = row._asdict()
        rec = {c: d.get(c) for c in ITEM_COLUMNS}
        geom_col = getattr(rectifications, "_geometry_column_name", "geometry")
        rec["geometry"] = d.get(geom_col)
        recs.append(rec)
    return recs


def _refuse_park_file(park_path: str | os.PathLike, target: str | os.PathLike) -> None:
    """Raise ValueError when the store target is the park file itself (same path, a relative or symlinked
    spelling of it, or a hard link)."""
    park, store = Path(park_path), Path(target)
    same = park.resolve() == store.resolve()
    if not same and park.exists() and store.exists():
        same = os.path.samefile(park, store)
    if same:
        raise ValueError(
            f"整改台账不能存放在园区文件本身：--store {target} 与园区文件 {park_path} 是同一个文件，"
            "写入台账会修改园区数据。请为 --store（或环境变量 PARKRISK_STORE）指定另一个 .gpkg 文件，"
            "或不指定以使用默认位置 / the store target is the park file itself; choose another file"
        )


def store_for_park(
    park_path: str | os.PathLike,
    rectifications: pd.DataFrame,
    *,
    store: str | os.PathLike | None = None,
    owner: bool = False,
) -> RectificationStore:
    """Open the store of a park, filling it from the park's ``rectifications`` layer on first use.

    Parameters
    ----------
    park_path : path-like
        The park file (never modified).
    rectifications : GeoDataFrame
        The park's ``rectifications`` layer (EPSG:4326), copied into an empty store in one transaction.
    store : path-like or URL, optional
        Store target; default :func:`default_store_path` of ``park_path`` (env ``PARKRISK_STORE`` overrides).
        Never the park file itself (ValueError).
    owner : bool
        See :func:`open_store` (``parkrisk rect init`` on PostGIS).
    """
    target = store or os.environ.get("PARKRISK_STORE") or default_store_path(park_path)
    if not is_postgres_target(target):
        _refuse_park_file(park_path, target)
    st = open_store(target, owner=owner)
    if st.count_items() == 0 and len(rectifications):
        try:
            ids = st.create_items(
                SYSTEM_USER,
                layer_records(rectifications),
                comment=f"由园区数据初始化：{Path(park_path).name}",
            )
            log.info("store %s initialised with %d items from %s", target, len(ids), park_path)
        except DuplicateItemError:  # another process initialised it at the same moment
            log.info("store %s was initialised concurrently", target)
    return st
