"""The lifecycle of a rectification item (一园一策整改事项): states, legal transitions and the action each one is.

The states are :data:`geodata.schema.ENUMS` ``["rectification_status"]``. An item is found (``open``), the responsible
enterprise starts work (``in_progress``), reports it finished (``awaiting_acceptance``), and an inspector accepts it
(``closed``, 销号) or rejects it (back to ``in_progress``). A closed item may be reopened (to ``open`` or
``in_progress``) with a reason. This follows the closed-loop "排查—整改—验收—销号" procedure of
[1]_ (第三章 隐患排查治理) and [2]_ (第十二条～第十五条).

This module is pure and imported by both the store (:mod:`geodata.store`) and :mod:`analysis.regulation.rectification`.

References
----------
.. [1] 应急管理部. 化工园区安全风险排查治理导则（应急〔2023〕123号）, 2023.
.. [2] 国家安全生产监督管理总局. 安全生产事故隐患排查治理暂行规定（第16号令）, 2008.
"""

from __future__ import annotations

from geodata.schema import ENUM_LABELS_ZH, ENUMS

__all__ = [
    "STATUSES",
    "TRANSITIONS",
    "ACTION_LABELS_ZH",
    "IllegalTransitionError",
    "allowed_targets",
    "check_transition",
    "transition_action",
    "date_problems",
]

#: The four states, in lifecycle order.
STATUSES: tuple[str, ...] = ENUMS["rectification_status"]

#: (from_state, to_state) -> action name. Anything not listed is illegal.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "in_progress"): "start",
    ("in_progress", "awaiting_acceptance"): "submit",
    ("awaiting_acceptance", "closed"): "accept",
    ("awaiting_acceptance", "in_progress"): "reject",
    ("closed", "open"): "reopen",
    ("closed", "in_progress"): "reopen",
}

#: Chinese names of the actions (history, buttons).
ACTION_LABELS_ZH: dict[str, str] = {
    "create": "登记",
    "start": "开始整改",
    "submit": "提交验收",
    "accept": "验收通过（销号）",
    "reject": "验收不通过（退回整改）",
    "reopen": "重新打开",
    "progress": "整改进展",
    "edit": "修改信息",
    "extend": "延期",
}

#: Transitions that need a non-empty comment (the reason).
REASON_REQUIRED: frozenset[str] = frozenset({"reopen", "reject"})


def _zh(state: str | None) -> str:
    return ENUM_LABELS_ZH["rectification_status"].get(str(state), str(state))


class IllegalTransitionError(ValueError):
    """A status change the lifecycle does not allow. Attributes: ``item_id``, ``from_state``, ``to_state``,
    ``allowed`` (the legal target states from ``from_state``)."""

    def __init__(self, item_id: str, from_state: str, to_state: str) -> None:
        self.item_id = item_id
        self.from_state = from_state
        self.to_state = to_state
        self.allowed = allowed_targets(from_state) if from_state in STATUSES else ()
        allowed_zh = "、".join(f"「{_zh(s)}」({s})" for s in self.allowed) or "无"
        super().__init__(
            f"整改事项 {item_id} 不能从「{_zh(from_state)}」({from_state}) 变为「{_zh(to_state)}」({to_state})；"
            f"当前状态允许变为：{allowed_zh} / illegal transition {from_state} -> {to_state} for item {item_id}"
        )


def allowed_targets(from_state: str) -> tuple[str, ...]:
    """States reachable in one step from ``from_state`` (in lifecycle order).

    Raises
    ------
    ValueError
        If ``from_state`` is not a state.
    """
    if from_state not in STATUSES:
        raise ValueError(
            f"from_state={from_state!r} 不是整改状态 / unknown state; 可选 / allowed: {list(STATUSES)}"
        )
    return tuple(s for s in STATUSES if (from_state, s) in TRANSITIONS)


def check_transition(item_id: str, from_state: str, to_state: str) -> str:
    """The action name of a legal transition; raises :class:`IllegalTransitionError` otherwise.

    Raises
    ------
    ValueError
        If ``to_state`` is not a state at all (lists the states).
    IllegalTransitionError
        If the transition is not in :data:`TRANSITIONS` (names the item, both states and the allowed targets).
    """
    if to_state not in STATUSES:
        raise ValueError(
            f"to_state={to_state!r} 不是整改状态 / unknown state; 可选 / allowed: {list(STATUSES)}"
        )
    if from_state not in STATUSES:
        raise ValueError(
            f"from_state={from_state!r} 不是整改状态 / unknown state; 可选 / allowed: {list(STATUSES)}"
        )
    action = TRANSITIONS.get((from_state, to_state))
    if action is None:
        raise IllegalTransitionError(item_id, from_state, to_state)
    return action


def transition_action(from_state: str, to_state: str) -> str | None:
    """The action name of a transition, or None when it is illegal."""
    return TRANSITIONS.get((from_state, to_state))


def date_problems(
    found_on: str | None, deadline: str | None, status: str | None, closed_on: str | None
) -> list[tuple[str, str | None, str, str]]:
    """The date rules of an item: deadline not before the finding date, a closing date exactly when closed, not
    before the finding date. Dates are ISO text ``YYYY-MM-DD`` (or None). Used by the store's import and by
    :func:`geodata.validate.validate_layers`, so a park file passes ``validate`` only if the store would take it.

    Returns
    -------
    list of (column, value, message_zh, fix_zh)
    """
    out: list[tuple[str, str | None, str, str]] = []
    if found_on and deadline and deadline < found_on:
        out.append(("deadline", deadline, f"整改期限早于发现日期 {found_on}", "请将整改期限改为发现日期之后"))
    if status == "closed" and not closed_on:
        out.append(
            ("closed_on", None, "状态为「已销号」但没有销号日期", "请填写销号日期，或将状态改为未销号的状态")
        )
    if status not in (None, "closed") and closed_on:
        out.append(
            ("closed_on", closed_on, "事项未销号却填写了销号日期", "请删除销号日期，或将状态改为「已销号」")
        )
    if closed_on and found_on and closed_on < found_on:
        out.append(("closed_on", closed_on, f"销号日期早于发现日期 {found_on}", "请核对销号日期"))
    return out
