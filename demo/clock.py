"""Demo back-dating: the post-award stories happened over months, the seed runs in seconds.

The services stamp rows with the real clock (``timezone.now``), and some rules compare a date
with the day an earlier step happened (a notice cannot be posted before its approval). So the
seed performs each step through the real services and then moves the timestamps that step
wrote to the story's day: ``with dated(day): service(...)`` rewrites every timestamp below that
was written inside the block. Only timestamps move, never a state or an amount, and never a
budget ledger entry (the ledger is append-only; its bookings keep the day the seed ran). The
transition history is append-only too (the database refuses UPDATE): its rows are written with
the story's day while the block runs instead of being moved afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from django.db.models import Case, DateTimeField, F, Model, Q, Value, When
from django.utils import timezone
from django_fsm_log.models import StateLog

from budgets.models import Fund
from grants.applications.models import Application, Attachment, EarlyStartRequest
from grants.awards.models import (
    Amendment,
    CaseSample,
    Grant,
    PlanVersion,
    ProofOfUse,
    Reclaim,
    Repayment,
    Settlement,
)
from grants.awards.payments.models import Drawdown
from grants.chain.models import CommitteeSession, Recusal, Vote

STAMPED: tuple[tuple[type[Model], tuple[str, ...]], ...] = (
    (Application, ("created_at", "updated_at", "submitted_at", "proposed_at", "decided_at")),
    (Attachment, ("uploaded_at",)),
    (EarlyStartRequest, ("requested_at", "decided_at")),
    (CaseSample, ("drawn_at",)),
    (Grant, ("approved_at",)),
    (PlanVersion, ("created_at",)),
    (Drawdown, ("requested_at", "certified_at", "ordered_at")),
    (ProofOfUse, ("created_at", "submitted_at", "accepted_at")),
    (Settlement, ("computed_at",)),
    (Reclaim, ("created_at",)),
    (Repayment, ("booked_at",)),
    (Amendment, ("created_at", "submitted_at", "decided_at")),
    (Fund, ("created_at",)),
    (CommitteeSession, ("created_at", "closed_at")),
    (Recusal, ("recorded_at",)),
    (Vote, ("recorded_at",)),
)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@contextmanager
def dated(day: date, hour: int = 10) -> Iterator[None]:
    """Date everything the block stamps to ``day`` at ``hour`` (demo back-dating)."""
    started = timezone.now()
    stamp = at(day, hour)
    # The history's timestamp default, for the block: StateLog rows are written on the story's day.
    timestamp = StateLog._meta.get_field("timestamp")
    previous = timestamp.__dict__.get("_get_default")
    timestamp.__dict__["_get_default"] = lambda: stamp
    try:
        yield
    finally:
        if previous is None:
            timestamp.__dict__.pop("_get_default", None)
        else:
            timestamp.__dict__["_get_default"] = previous
    when = Value(stamp, output_field=DateTimeField())
    for model, fields in STAMPED:
        # One statement per model: each field moves only where the block wrote it.
        touched = Q()
        for name in fields:
            touched |= Q(**{f"{name}__gte": started})
        model._default_manager.filter(touched).update(
            **{name: Case(When(**{f"{name}__gte": started}, then=when), default=F(name)) for name in fields}
        )
