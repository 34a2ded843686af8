"""Errors raised by the rectification store. Every message is Chinese first and names the item and the fix."""

from __future__ import annotations

__all__ = [
    "StoreError",
    "ConcurrentEditError",
    "PermissionDeniedError",
    "ItemNotFoundError",
    "DuplicateItemError",
    "ImportValidationError",
    "ImportProblem",
    "StoreWriteError",
    "StoreSetupError",
]

from dataclasses import dataclass


class StoreError(Exception):
    """Base class of store errors."""


class StoreWriteError(StoreError, OSError):
    """The store could not be written (full disk, read-only file or database, I/O error). The transaction was
    rolled back: the store is as it was. ``target`` names the store, ``reason`` is ``full``, ``read_only``,
    ``permission`` or ``io``."""

    _REASON_ZH = {
        "full": ("磁盘空间已满", "请释放存放台账的磁盘空间后重试"),
        "read_only": (
            "台账文件或数据库为只读",
            "请检查文件权限、磁盘是否以只读方式挂载，或改用可写的 --store",
        ),
        "permission": ("数据库角色无权执行该操作", "请由数据库管理员按 parkrisk rect init 的说明授予权限"),
        "io": ("读写台账时发生输入输出错误", "请检查磁盘或网络存储后重试"),
    }

    def __init__(self, target: str, reason: str, detail: str = "") -> None:
        self.target = target
        self.reason = reason
        what, fix = self._REASON_ZH.get(reason, self._REASON_ZH["io"])
        tail = f"（{detail}）" if detail else ""
        super().__init__(
            f"无法写入整改台账 {target}：{what}{tail}。台账未修改，本次操作未保存。{fix}。 / "
            f"cannot write the store ({reason}); nothing was changed"
        )


class StoreSetupError(StoreError):
    """The store is not set up for this connection: not initialised, needs an upgrade by its owner, or the
    application connects with a role that could rewrite the audit trail. The message says what to run."""


class ConcurrentEditError(StoreError):
    """Someone else changed the item since it was read (optimistic concurrency: the version did not match)."""

    def __init__(self, item_id: str, expected_version: int, current_version: int | None) -> None:
        self.item_id = item_id
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            f"整改事项 {item_id} 已被他人修改（您读取的是第 {expected_version} 版，当前为第 {current_version} 版），"
            "您的修改未保存。请刷新后查看最新内容再重新操作。 / item was changed by someone else; reload and retry"
        )


class PermissionDeniedError(StoreError, PermissionError):
    """The acting user's role does not allow the action on this item."""


class ItemNotFoundError(StoreError, LookupError):
    """No item with that id."""

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        super().__init__(f"整改事项 {item_id} 不存在 / no rectification item {item_id!r}")


class DuplicateItemError(StoreError, ValueError):
    """An item id that already exists."""

    def __init__(self, item_ids: list[str]) -> None:
        self.item_ids = list(item_ids)
        shown = "、".join(self.item_ids[:10]) + ("等" if len(self.item_ids) > 10 else "")
        super().__init__(
            f"事项编号已存在：{shown}（共 {len(self.item_ids)} 个）；请改用新的编号 / duplicate item ids: {self.item_ids[:10]}"
        )


@dataclass(frozen=True)
class ImportProblem:
    """One bad cell (or row) of an imported table. ``row`` is the spreadsheet row number (header = row 1)."""

    row: int
    column: str
    value: str
    message_zh: str
    fix_zh: str

    def to_text_zh(self) -> str:
        return f"第 {self.row} 行，列「{self.column}」，值「{self.value}」：{self.message_zh}。修改方法：{self.fix_zh}"


class ImportValidationError(StoreError, ValueError):
    """The imported table has bad rows; nothing was imported. ``problems`` lists every one."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = list(problems)
        lines = [p.to_text_zh() for p in self.problems[:50]]
        more = f"\n……另有 {len(self.problems) - 50} 处问题" if len(self.problems) > 50 else ""
        super().__init__(
            f"导入失败：发现 {len(self.problems)} 处问题，未导入任何事项。\n" + "\n".join(lines) + more
        )
