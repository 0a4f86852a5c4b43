"""The state machine as a table: (state, event, context) → allowed, or the refusal's words."""

from __future__ import annotations

import pytest

from chipwatch.custody.states import STATES, TRANSITIONS, Context, allowed_events, refusal

PASSED = Context(inspection="pass")
LICENSED = Context(inspection="pass", licence="L-1", licence_status="active")
TESTING = Context(inspection="pass", licence="L-1", licence_status="active", requires_testing=True)


@pytest.mark.parametrize(
    ("state", "event", "context", "refused_with"),
    [
        ("manufactured", "shipped", Context(), "the chip is manufactured: it cannot be shipped"),
        ("inspected", "shipped", Context(), "has no passing inspection"),
        ("inspected", "shipped", Context(inspection="fail"), "latest inspection failed"),
        ("inspected", "tested", Context(inspection="fail"), "latest inspection failed"),
        ("inspected", "shipped", PASSED, None),
        ("inspected", "shipped", LICENSED, None),
        ("inspected", "shipped", TESTING, "requires third-party testing"),
        ("tested", "shipped", TESTING, None),
        ("tested", "shipped", Context(inspection="pass", licence="L-1"), "is not recorded"),
        (
            "tested",
            "shipped",
            Context(inspection="pass", licence="L-1", licence_status="suspended"),
            "licence L-1 is suspended",
        ),
        ("shipped", "in_transit", Context(), None),
        ("in_transit", "received", Context(licence="L-1", licence_status="active"), None),
        ("in_transit", "received", Context(licence="L-1", licence_status="expired"), None),
        (
            "in_transit",
            "received",
            Context(licence="L-1", licence_status="revoked"),
            "licence L-1 is revoked: the chip cannot be received",
        ),
        (
            "shipped",
            "received",
            Context(licence="L-1", licence_status="suspended"),
            "licence L-1 is suspended",
        ),
        ("shipped", "received", Context(), None),  # no licence: nothing to check
        ("received", "installed", Context(), None),
        ("installed", "attested", Context(), None),
        ("attested", "attested", Context(), None),
        ("attested", "installed", Context(), None),
        ("manufactured", "installed", Context(), "allowed next events: inspected"),
        ("received", "shipped", PASSED, "the chip is received: it cannot be shipped"),
        ("decommissioned", "flagged", Context(), "none (final state)"),
        ("decommissioned", "returned", Context(), "cannot be returned"),
        ("quarantined", "flagged", Context(), "cannot be flagged"),
        ("installed", "flagged", Context(), None),
        ("manufactured", "quarantined", Context(), None),
        ("flagged", "cleared", Context(open_flags=2), "2 open flag(s)"),
        ("flagged", "cleared", Context(), None),
        ("installed", "cleared", Context(), "cannot be cleared"),
        ("returned", "inspected", Context(), None),
        ("returned", "shipped", PASSED, "cannot be shipped"),
        ("installed", "returned", Context(), None),
        ("installed", "teleported", Context(), "'teleported' is not a custody event"),
    ],
)
def test_transition_table(
    state: str, event: str, context: Context, refused_with: str | None
) -> None:
    problem = refusal(state, event, context)
    if refused_with is None:
        assert problem is None
    else:
        assert problem is not None and refused_with in problem


def test_every_state_is_reachable_and_only_decommissioned_is_final() -> None:
    targets = {t.target for t in TRANSITIONS.values()}
    assert set(STATES) - {"manufactured"} <= targets
    assert [s for s in STATES if not allowed_events(s)] == ["decommissioned"]
