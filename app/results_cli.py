"""``--store`` of the ``parkrisk`` commands: the result kept with the park, computed by ``命令行`` (:mod:`app.results`).

Cheap to import (the commands register their options at start-up); the storage modules are imported when used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["STORE_HELP", "add_store_argument", "store_from_command", "store_or_fail"]


# -- the commands' --store ------------------------------------------------------------------------------------
STORE_HELP = (
    "把结果保存到园区（园区一张图与各页面显示，计算人记为“命令行”）：写入园区 GeoPackage；内置示例园区、文件夹或表格园区"
    "写入数据目录（PARKRISK_DATA_DIR）中的结果文件；环境变量 PARKRISK_STORE 为 PostGIS 连接串时写入数据库"
)


def add_store_argument(parser: Any) -> None:
    """``--store`` of the ``parkrisk`` commands that compute a result kept with the park."""
    parser.add_argument("--store", action="store_true", help=STORE_HELP)


def _where_zh(target: Any) -> str:
    from geodata.results import PostgisResults

    if isinstance(target, PostgisResults):
        return f"{target.store}（园区 {target.park_key}）"
    return str(target)


def store_from_command(
    kind: str, result: Any, park: Any, park_path: str | os.PathLike, *, options: Mapping | None = None
) -> str:
    """``--store``: keep ``result`` with the park, computed by ``命令行``; the Chinese line to print.

    Raises
    ------
    ValueError, OSError, geodata.results.ResultStoreError, geodata.store.StoreError
        The result could not be stored (the previous stored result is untouched).
    """
    from app.results import computed_at_zh, results_target, store
    from geodata.results import KIND_LABELS_ZH
    from geodata.store import PostgisStore, is_postgres_target

    dsn = os.environ.get("PARKRISK_STORE", "")
    pg = PostgisStore(dsn) if is_postgres_target(dsn) else None
    try:
        target = results_target(park_path, source_kind="env", store=pg)
        stored = store(target, kind, result, park, computed_by="命令行", options=options)
    finally:
        if pg is not None:
            pg.close()
    return f"已把「{KIND_LABELS_ZH[kind]}」结果保存到园区：{_where_zh(target)}（{computed_at_zh(stored)}，命令行）"


def store_or_fail(
    kind: str, result: Any, park: Any, park_path: str | os.PathLike, *, options: Mapping | None = None
) -> int:
    """A command's ``--store``: print where the result was kept and return 0, or report why not and return 1."""
    from app.commands._common import fail
    from geodata.results import ResultStoreError
    from geodata.store import StoreError

    try:
        print(store_from_command(kind, result, park, park_path, options=options))
    except (ValueError, OSError, ResultStoreError, StoreError) as exc:
        return fail(f"结果未能保存到园区（上次保存的结果保持不变）：{exc}")
    return 0
