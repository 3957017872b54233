"""An application's state as a pure function of its events up to a date, and its clock.

Events are append-only. A mistaken entry is put right by a new event that names it (`corrects`):
an event of the same kind with the right values, or a `void` that takes it back. Replaying drops
every event some later event corrects, then takes the rest dated on or before the day asked, in
date order; so the history reads the same "as of 12-31" whenever it is asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from xxgk.clock import Application, Calendar, Extension, Pause, period_deadline, schedule
from xxgk.errors import XxgkError
from xxgk.register.rules import DELIVERY, EVENT_OUTCOMES, EVENTS, OUTCOMES, PARTIES


@dataclass(frozen=True)
class Event:
    """One entry of an application's history (`id` is its number in the store; 0 before)."""

    kind: str
    on: date
    data: dict[str, Any] = field(default_factory=dict)
    id: int = 0
    corrects: int | None = None
    seq: int = 0  # order of recording, for events of the same day


def check_event(event: Event) -> None:
    """An event's own fields: its kind known, what the kind needs present and from the closed lists."""
    where = EVENTS.get(event.kind, {}).get("label", event.kind)
    if event.kind not in EVENTS:
        raise XxgkError(
            f"unknown event kind {event.kind!r} (expected one of {', '.join(EVENTS)})", kind="bad_choice"
        )
    for name in EVENTS[event.kind]["needs"]:
        if not str(event.data.get(name) or "").strip():
            raise XxgkError(f"{name} is missing", where, kind="missing")
    if event.kind == "void" and event.corrects is None:
        raise XxgkError("a void names the event it takes back", where, kind="void_names_event")
    if event.kind == "reply" and event.data["outcome"] not in OUTCOMES:
        raise XxgkError(
            f"outcome {event.data['outcome']!r} is not a row of table 三", where, kind="bad_choice"
        )
    if event.kind == "consultation_sent" and event.data["party"] not in PARTIES:
        raise XxgkError(
            f"party {event.data['party']!r} is not one of {', '.join(PARTIES)}", where, kind="bad_choice"
        )
    delivered = event.data.get("delivered")
    if delivered and delivered not in DELIVERY:
        raise XxgkError(
            f"delivered {delivered!r} is not one of {', '.join(DELIVERY)}", where, kind="bad_choice"
        )
    if event.kind == "extension":
        days = event.data.get("days", 20)
        if not isinstance(days, int):
            raise XxgkError(f"days must be a whole number, not {days!r}", where, kind="not_whole")


def effective(events: Iterable[Event], as_of: date | None = None) -> list[Event]:
    """The events that stand (none a later one corrects, no void), dated up to `as_of`, in order."""
    events = list(events)
    corrected = {e.corrects for e in events if e.corrects is not None}
    standing = [e for e in events if e.id not in corrected and e.kind != "void"]
    if as_of is not None:
        standing = [e for e in standing if e.on <= as_of]
    return sorted(standing, key=lambda e: (e.on, e.seq, e.id))


@dataclass
class State:
    """What an application is at a date: status apart from outcome, the clock's inputs."""

    received: date | None = None
    status: str = "registered"
    outcome: str | None = None
    decided: date | None = None
    corrected: date | None = None
    notice_sent: date | None = None
    pauses: list[Pause] = field(default_factory=list)
    open_pause: tuple[str, date] | None = None  # (consultation kind or "fee", since)
    extensions: list[Extension] = field(default_factory=list)
    fee: Decimal | None = None  # the amount of the fee notice
    fee_paid: bool = False
    closed_by: str | None = None  # the kind of the event that gave the outcome
    events: int = 0


def replay(events: Iterable[Event], as_of: date | None = None) -> State:
    """Fold the standing events; an event that the history does not allow is refused with why."""
    state = State()
    for event in effective(events, as_of):
        _apply(state, event)
    if state.received is None:
        raise XxgkError("an application needs its receipt (收到申请) before anything else", kind="no_receipt")
    state.status = _status(state)
    return state


def _apply(state: State, event: Event) -> None:
    label = EVENTS[event.kind]["label"]
    where = f"{label} {event.on}"
    kind = event.kind
    if kind == "receipt":
        if state.received is not None:
            raise XxgkError(
                "the application is already received (correct that event instead)",
                where,
                kind="received_twice",
            )
        state.received = event.on
        state.events += 1
        return
    if state.received is None:
        raise XxgkError("dated before the receipt", where, kind="before_receipt")
    if event.on < state.received:
        raise XxgkError(f"dated before the receipt ({state.received})", where, kind="before_receipt")
    if state.outcome is not None:
        raise XxgkError(
            f"the application was closed on {state.decided} ({OUTCOMES[state.outcome]})", where, kind="closed"
        )
    state.events += 1
    if kind == "correction_notice":
        if state.notice_sent is not None:
            raise XxgkError(
                f"a 补正 notice was already sent on {state.notice_sent} (one only, 第30条)",
                where,
                kind="notice_twice",
            )
        state.notice_sent = event.on
    elif kind == "correction_received":
        if state.notice_sent is None:
            raise XxgkError("no 补正 notice was sent", where, kind="no_notice")
        if state.corrected is not None:
            raise XxgkError(
                f"the corrected application was received on {state.corrected}", where, kind="corrected_twice"
            )
        if state.pauses or state.open_pause:
            raise XxgkError(
                "the period restarts on correction: no pause may come before it", where, kind="pause_first"
            )
        state.corrected = event.on
    elif kind in ("consultation_sent", "fee_notice"):
        if state.open_pause is not None:
            raise XxgkError(
                f"a consultation or fee notice of {state.open_pause[1]} is still open",
                where,
                kind="pause_open",
            )
        if state.notice_sent is not None and state.corrected is None:
            raise XxgkError("the application awaits its correction (补正)", where, kind="awaits_correction")
        pause = event.data["party"] if kind == "consultation_sent" else "fee"
        state.open_pause = (pause, event.on)
        if kind == "fee_notice":
            state.fee = Decimal(str(event.data.get("amount", 0)))
    elif kind in ("consultation_answered", "fee_paid"):
        expected = "fee" if kind == "fee_paid" else None
        if state.open_pause is None or (state.open_pause[0] == "fee") != (expected == "fee"):
            what = "fee notice" if expected else "consultation"
            raise XxgkError(f"no open {what} to close", where, kind="nothing_open")
        state.pauses.append(Pause(state.open_pause[1], event.on, state.open_pause[0]))
        state.open_pause = None
        if kind == "fee_paid":
            state.fee_paid = True
    elif kind == "extension":
        days = int(event.data.get("days", 20))
        state.extensions.append(Extension(days, str(event.data["approved_by"]), event.on))
        Application(state.received, state.corrected, extensions=tuple(state.extensions))  # the limits
    else:  # reply and the events with an outcome of their own
        if kind == "no_correction" and (state.notice_sent is None or state.corrected is not None):
            raise XxgkError("no 补正 notice awaits a correction", where, kind="no_notice")
        if kind == "unpaid_fee" and (state.open_pause is None or state.open_pause[0] != "fee"):
            raise XxgkError("no fee notice awaits payment", where, kind="nothing_open")
        if state.open_pause is not None:  # closing ends the pause (an unpaid fee's too)
            state.pauses.append(Pause(state.open_pause[1], event.on, state.open_pause[0]))
            state.open_pause = None
        state.outcome = event.data["outcome"] if kind == "reply" else EVENT_OUTCOMES[kind]
        state.decided = event.on
        state.closed_by = kind


def _status(state: State) -> str:
    if state.outcome is not None:
        return "withdrawn" if state.closed_by == "withdrawal" else "replied"
    if state.open_pause is not None:
        return "awaiting_fee" if state.open_pause[0] == "fee" else "consulting"
    if state.notice_sent is not None and state.corrected is None:
        return "awaiting_correction"
    if state.extensions:
        return "extended"
    return "processing" if state.events > 1 else "registered"


@dataclass(frozen=True)
class Clock:
    """The deadlines of an application at a date, with their traces, as the engine counts them."""

    reply: dict
    correction_notice: dict
    consultation_due: date | None = None
    fee_due: date | None = None

    @property
    def reply_due(self) -> date:
        return date.fromisoformat(self.reply["due"])

    @property
    def notice_due(self) -> date:
        return date.fromisoformat(self.correction_notice["due"])

    @property
    def provisional(self) -> bool:
        return bool(self.reply["provisional"] or self.correction_notice["provisional"])

    def to_dict(self) -> dict:
        return {
            "reply": self.reply,
            "correction_notice": self.correction_notice,
            "consultation_due": self.consultation_due.isoformat() if self.consultation_due else None,
            "fee_due": self.fee_due.isoformat() if self.fee_due else None,
        }


def clock(state: State, calendar: Calendar, today: date) -> Clock:
    """The engine's deadlines; a pause still open counts as lasting through `today`."""
    assert state.received is not None
    pauses = list(state.pauses)
    consultation_due = fee_due = None
    if state.open_pause is not None:
        kind, since = state.open_pause
        pauses.append(Pause(since, max(since, today), kind))
        if kind == "fee":
            fee_due = period_deadline("fee_payment", since, calendar).due
        else:
            consultation_due = period_deadline("consultation", since, calendar).due
    application = Application(state.received, state.corrected, tuple(pauses), tuple(state.extensions))
    plan = schedule(application, calendar)
    return Clock(plan.reply.to_dict(), plan.correction_notice.to_dict(), consultation_due, fee_due)
