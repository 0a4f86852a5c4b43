"""A chip's life as data: which event may follow which state, and the guards that need more
than the state (the latest inspection, the licence's status and conditions).

``refusal(state, event, context)`` is pure: the service gathers the context from the
database and refuses with the sentence it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

STATES: Final = (
    "manufactured",
    "inspected",
    "tested",
    "shipped",
    "in_transit",
    "received",
    "installed",
    "attested",
    "flagged",
    "quarantined",
    "returned",
    "decommissioned",
)
FINAL: Final = frozenset({"decommissioned"})
HELD: Final = frozenset({"flagged", "quarantined"})  # states a chip leaves by `cleared`
_LIVE: Final = frozenset(STATES) - FINAL
SAME: Final = "(unchanged)"  # an event that records something without moving the chip
PREVIOUS: Final = "(previous)"  # back to the state before the chip was flagged/quarantined


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[str]
    target: str  # a state, SAME or PREVIOUS
    meaning: str


TRANSITIONS: Final[dict[str, Transition]] = {
    "inspected": Transition(
        frozenset({"manufactured", "returned", "inspected", "tested"}),
        "inspected",
        "a passing pre-export inspection (recorded with `custody inspect`)",
    ),
    "inspection_failed": Transition(
        frozenset({"manufactured", "returned", "inspected", "tested"}),
        SAME,
        "a failing inspection: the chip may not ship until a later one passes",
    ),
    "tested": Transition(frozenset({"inspected"}), "tested", "third-party lab testing passed"),
    "shipped": Transition(frozenset({"inspected", "tested"}), "shipped", "left the exporter"),
    "in_transit": Transition(frozenset({"shipped"}), "in_transit", "with a carrier"),
    "received": Transition(
        frozenset({"shipped", "in_transit"}), "received", "delivered to the consignee"
    ),
    "installed": Transition(
        frozenset({"received", "attested"}), "installed", "installed at a site"
    ),
    "attested": Transition(
        frozenset({"installed", "attested"}), "attested", "a location check-in that held up"
    ),
    "checked_in": Transition(_LIVE, SAME, "a good check-in while not installed (no move)"),
    "flagged": Transition(_LIVE - {"quarantined"}, "flagged", "a case is open on the chip"),
    "quarantined": Transition(_LIVE - {"quarantined"}, "quarantined", "held, not to be used"),
    "cleared": Transition(HELD, PREVIOUS, "every case closed: back where it was"),
    "returned": Transition(
        frozenset({"shipped", "in_transit", "received", "installed", "attested"} | HELD),
        "returned",
        "sent back to the exporter (needs a new inspection to ship again)",
    ),
    "decommissioned": Transition(_LIVE, "decommissioned", "destroyed or retired, for good"),
}
# Events only the services record (with their own records), not `custody event`.
SERVICE_EVENTS: Final = frozenset({"inspected", "inspection_failed", "checked_in"})
# Book-keeping events, not transitions: a chip's first event.
FIRST_EVENTS: Final = frozenset({"registered", "imported"})


@dataclass(frozen=True, slots=True)
class Context:
    """What the guards look at besides the state."""

    inspection: str | None = None  # the latest inspection's result: pass, fail or None
    licence: str | None = None  # the chip's licence number, if any
    licence_status: str | None = None  # its effective status today (None: not recorded)
    requires_testing: bool = False  # the licence's third_party_testing condition
    open_flags: int = 0


def allowed_events(state: str) -> list[str]:
    """Events that may follow ``state`` (in table order)."""
    return [name for name, t in TRANSITIONS.items() if state in t.sources]


def refusal(state: str, event: str, context: Context) -> str | None:
    """Why ``event`` may not happen to a chip in ``state`` (None: it may)."""
    transition = TRANSITIONS.get(event)
    if transition is None:
        known = ", ".join(TRANSITIONS)
        return f"'{event}' is not a custody event (known: {known})"
    if state not in transition.sources:
        allowed = ", ".join(allowed_events(state)) or "none (final state)"
        return f"the chip is {state}: it cannot be {event}; allowed next events: {allowed}"
    return _guard(state, event, context)


def _guard(state: str, event: str, context: Context) -> str | None:
    if event in ("tested", "shipped") and context.inspection != "pass":
        seen = "failed" if context.inspection == "fail" else "has no passing inspection"
        verb = "tested" if event == "tested" else "shipped"
        if seen == "failed":
            return f"the chip's latest inspection failed: it cannot be {verb}"
        return f"the chip {seen}: it cannot be {verb}"
    if event == "shipped":
        if context.licence is not None and context.licence_status != "active":
            return _licence_problem(context, "shipped")
        if context.requires_testing and state != "tested":
            return (
                f"licence {context.licence} requires third-party testing: the chip is "
                f"{state}, it must be tested before it is shipped"
            )
    blocked = context.licence_status in (None, "revoked", "suspended")
    if event == "received" and context.licence is not None and blocked:
        return _licence_problem(context, "received")
    if event == "cleared" and context.open_flags:
        return f"the chip has {context.open_flags} open flag(s): clear them first"
    return None


def _licence_problem(context: Context, verb: str) -> str:
    if context.licence_status is None:
        return f"licence {context.licence} is not recorded: the chip cannot be {verb}"
    return f"licence {context.licence} is {context.licence_status}: the chip cannot be {verb}"
