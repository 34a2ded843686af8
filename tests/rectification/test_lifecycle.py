"""The lifecycle state machine: every legal transition and every illegal one (4 × 4 pairs)."""

from __future__ import annotations

import itertools

import pytest

from analysis.regulation.rectification import (
    STATUSES,
    TRANSITIONS,
    IllegalTransitionError,
    allowed_targets,
    check_transition,
)

LEGAL = {
    ("open", "in_progress"): "start",
    ("in_progress", "awaiting_acceptance"): "submit",
    ("awaiting_acceptance", "closed"): "accept",
    ("awaiting_acceptance", "in_progress"): "reject",
    ("closed", "open"): "reopen",
    ("closed", "in_progress"): "reopen",
}
ALL_PAIRS = list(itertools.product(STATUSES, STATUSES))


def test_states_are_the_schema_enumeration():
    assert STATUSES == ("open", "in_progress", "awaiting_acceptance", "closed")
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize(("src", "dst"), sorted(LEGAL))
def test_legal_transition(src, dst):
    assert check_transition("R-1", src, dst) == LEGAL[(src, dst)]


@pytest.mark.parametrize(("src", "dst"), [p for p in ALL_PAIRS if p not in LEGAL])
def test_illegal_transition_is_refused_with_a_clear_message(src, dst):
    with pytest.raises(IllegalTransitionError, match="R-7") as exc:
        check_transition("R-7", src, dst)
    err = exc.value
    assert (err.from_state, err.to_state, err.item_id) == (src, dst, "R-7")
    assert err.allowed == allowed_targets(src)
    msg = str(err)
    assert "不能从" in msg and src in msg and dst in msg
    for a in err.allowed:
        assert a in msg


def test_allowed_targets():
    assert allowed_targets("open") == ("in_progress",)
    assert allowed_targets("awaiting_acceptance") == ("in_progress", "closed")
    assert allowed_targets("closed") == ("open", "in_progress")


@pytest.mark.parametrize("bad", ["done", "", "OPEN"])
def test_unknown_state(bad):
    with pytest.raises(ValueError, match="不是整改状态"):
        check_transition("R-1", "open", bad)
    with pytest.raises(ValueError, match="allowed"):
        allowed_targets(bad)
