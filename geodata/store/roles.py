"""Roles and what each may do with rectification items (一园一策); enforced by every store call.

=============== ======================================= =============================================
role            sees                                    may
=============== ======================================= =============================================
``admin``       all items                               everything (create, edit, extend deadlines, any
                                                        transition, import, manage users)
``enterprise``  only its own enterprise's items         start work, add progress, submit for acceptance
``inspector``   all items                               create items, accept or reject, reopen, add notes
``viewer``      all items; sensitive details redacted   read only
=============== ======================================= =============================================

Sensitive details are the inventories of major-hazard installations (重大危险源存量): :func:`redact_installations`
hides them from viewers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geodata.store.errors import PermissionDeniedError

__all__ = [
    "ROLES",
    "ROLE_LABELS_ZH",
    "PERMISSIONS",
    "User",
    "can",
    "require",
    "can_see",
    "redact_installations",
    "SENSITIVE_INSTALLATION_COLUMNS",
]

ROLE_LABELS_ZH: dict[str, str] = {
    "admin": "园区管理员",
    "enterprise": "企业用户",
    "inspector": "验收人员",
    "viewer": "只读用户",
}
ROLES: tuple[str, ...] = tuple(ROLE_LABELS_ZH)

#: role -> actions allowed (see geodata.store.lifecycle.ACTION_LABELS_ZH for the item actions).
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "read",
            "create",
            "edit",
            "start",
            "submit",
            "accept",
            "reject",
            "reopen",
            "progress",
            "extend",
            "import",
            "manage_users",
            "read_sensitive",
            "verify",
        }
    ),
    "enterprise": frozenset({"read", "start", "submit", "progress", "read_sensitive"}),
    "inspector": frozenset(
        {"read", "create", "accept", "reject", "reopen", "progress", "read_sensitive", "verify"}
    ),
    "viewer": frozenset({"read"}),
}

_ACTION_ZH = {
    "read": "查看",
    "create": "登记事项",
    "edit": "修改事项",
    "start": "开始整改",
    "submit": "提交验收",
    "accept": "验收通过",
    "reject": "验收退回",
    "reopen": "重新打开",
    "progress": "填报进展",
    "extend": "批准延期",
    "import": "批量导入",
    "manage_users": "管理用户",
    "read_sensitive": "查看敏感信息",
    "verify": "校验审计链",
}

#: Installation columns hidden from roles without ``read_sensitive``.
SENSITIVE_INSTALLATION_COLUMNS: tuple[str, ...] = (
    "inventory_kg",
    "volume_m3",
    "pressure_pa",
    "temperature_k",
)


@dataclass(frozen=True)
class User:
    """The acting user of a store call.

    Attributes
    ----------
    username : str
    role : str
        One of :data:`ROLES`.
    enterprise_id : str or None
        The enterprise an ``enterprise`` user belongs to (required for that role, None otherwise).
    display_name : str
    """

    username: str
    role: str
    enterprise_id: str | None = None
    display_name: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role={self.role!r} 不是有效角色 / unknown role; 可选 / allowed: {list(ROLES)}")
        if self.role == "enterprise" and not self.enterprise_id:
            raise ValueError(
                f"企业用户 {self.username!r} 必须指定所属企业 enterprise_id / enterprise users need an enterprise_id"
            )
        if not str(self.username).strip():
            raise ValueError("username 不能为空 / username must not be empty")

    @property
    def role_zh(self) -> str:
        return ROLE_LABELS_ZH[self.role]


def _check_user(user: object) -> User:
    if not isinstance(user, User):
        raise PermissionDeniedError(
            f"未登录或身份无效（{type(user).__name__}），请先登录 / every store call needs the acting User"
        )
    return user


def can_see(user: User, enterprise_id: str | None) -> bool:
    """Whether ``user`` may read an item of ``enterprise_id`` (None = a park-level item)."""
    user = _check_user(user)
    if "read" not in PERMISSIONS[user.role]:
        return False
    if user.role == "enterprise":
        return enterprise_id is not None and str(enterprise_id) == str(user.enterprise_id)
    return True


def can(user: User, action: str, enterprise_id: str | None = None) -> bool:
    """Whether ``user`` may perform ``action`` on an item of ``enterprise_id``."""
    user = _check_user(user)
    return action in PERMISSIONS[user.role] and can_see(user, enterprise_id)


_ANY = object()


def require(user: User, action: str, *, item_id: str | None = None, enterprise_id: object = _ANY) -> None:
    """Raise :class:`PermissionDeniedError` (Chinese message naming user, role, action and item) unless allowed.

    Without ``enterprise_id`` only the role is checked; with it (None = a park-level item) also the scope.
    """
    user = _check_user(user)
    if action not in PERMISSIONS[user.role]:
        what = f"整改事项 {item_id} 的" if item_id else ""
        raise PermissionDeniedError(
            f"用户 {user.username}（{user.role_zh}）无权{what}{_ACTION_ZH.get(action, action)}操作 / "
            f"role {user.role!r} may not {action!r}"
        )
    if enterprise_id is not _ANY and not can_see(user, enterprise_id):  # type: ignore[arg-type]
        raise PermissionDeniedError(
            f"用户 {user.username}（{user.role_zh}，所属企业 {user.enterprise_id}）无权访问整改事项 {item_id or ''}"
            f"（属于 {enterprise_id or '园区'}）；企业用户只能查看和处理本企业的事项 / "
            f"user {user.username!r} may not access items of enterprise {enterprise_id!r}"
        )


def redact_installations(installations: pd.DataFrame, user: User) -> pd.DataFrame:
    """The installations layer as ``user`` may see it: for roles without ``read_sensitive`` (viewers) the
    inventories and process conditions of installations (:data:`SENSITIVE_INSTALLATION_COLUMNS`) are blanked.

    Returns a copy; the input is not modified.
    """
    user = _check_user(user)
    out = installations.copy()
    if "read_sensitive" in PERMISSIONS[user.role]:
        return out
    for col in SENSITIVE_INSTALLATION_COLUMNS:
        if col in out.columns:
            out[col] = out[col].where(pd.Series(False, index=out.index))
    return out
