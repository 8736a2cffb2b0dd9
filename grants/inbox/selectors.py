"""The inbox of one person: per kind of task the first rows and how many there are in all.

Each kind costs two bounded queries (the first ``limit`` rows and a COUNT), a kind whose step
the person never takes costs none; the assignees of every shown row are read with one more
query. Nothing loads a whole list into Python: "alle anzeigen" links to the full existing list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from budgets.rules import office_roles
from grants.chain.selectors import open_ballots
from grants.inbox.kinds import Kind, all_kinds, kind_by_key
from grants.inbox.models import TaskAssignment
from grants.rules import carrier_organisation_ids

LIMIT = 10
VOTE = "vote"

ASSIGNED_TO_ME = "mine"
UNASSIGNED = "unassigned"
ALL = "all"


@dataclass(frozen=True)
class Task:
    kind: str
    object_id: int
    reference: str
    title: str
    url: str
    organisation: str
    waiting_since: date | None
    days_waiting: int | None
    due_on: date | None
    days_overdue: int  # 0 when not overdue
    assignee: Any
    action: str | Promise
    amount: Decimal | None = None

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    tasks: list[Task]
    count: int
    more_url: str
    bulk: str = ""
    assignable: bool = True

    @property
    def hidden(self) -> int:
        return self.count - len(self.tasks)


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def _filtered(kind: Kind, qs: QuerySet[Any], user: Any, *, assignment: str, overdue: bool, today: date):
    assignments = TaskAssignment.objects.filter(kind=kind.key)
    if assignment == ASSIGNED_TO_ME:
        qs = qs.filter(pk__in=assignments.filter(assignee=user).values("object_id"))
    elif assignment == UNASSIGNED:
        qs = qs.exclude(pk__in=assignments.values("object_id"))
    if overdue:
        qs = qs.filter(inbox_due__lt=today)
    return qs


def kind_rows(kind: Kind, user: Any, *, today: date, assignment: str = ALL, overdue: bool = False):
    """The rows of one kind waiting for ``user`` (filtered, annotated, unordered); None: not theirs."""
    qs = kind.rows(user, today)
    if qs is None:
        return None
    return _filtered(kind, qs, user, assignment=assignment, overdue=overdue, today=today)


def _section(kind: Kind, qs: QuerySet[Any], *, today: date, limit: int) -> tuple[Section, list[Any]]:
    assignee = TaskAssignment.objects.filter(kind=kind.key, object_id=OuterRef("pk")).values("assignee_id")[
        :1
    ]
    rows = list(
        qs.select_related(*kind.related)
        .annotate(inbox_assignee=Subquery(assignee))
        .order_by("inbox_due", "inbox_since", "pk")[:limit]
    )
    count = len(rows) if len(rows) < limit else qs.count()
    tasks = []
    for row in rows:
        reference, title, url = kind.describe(row)
        since = _day(row.inbox_since)
        due = row.inbox_due
        organisation = kind.party_of(row)
        tasks.append(
            Task(
                kind=kind.key,
                object_id=row.pk,
                reference=reference,
                title=title,
                url=url,
                organisation=organisation,
                waiting_since=since,
                days_waiting=None if since is None else max(0, (today - since).days),
                due_on=due,
                days_overdue=0 if due is None else max(0, (today - due).days),
                assignee=row.inbox_assignee,
                action=kind.action,
                amount=kind.amount(row),
            )
        )
    section = Section(
        kind.key, kind.label, tasks, count, kind.more(), bulk=kind.bulk, assignable=not kind.for_carriers
    )
    return section, rows


def _votes(
    user: Any, *, today: date, kind: str, assignment: str, overdue: bool, limit: int
) -> Section | None:
    """Circulation votes waiting for the user's own vote (``grants.chain.selectors.open_ballots``:
    bounded by the user's seats); they are personal, so never "unassigned"."""
    if kind not in ("", VOTE) or assignment == UNASSIGNED:
        return None
    ballots = open_ballots(user)
    tasks = []
    for item, _seat, _deputy in ballots:
        due = item.session.deadline
        if overdue and not (due is not None and due < today):
            continue
        application = item.application
        tasks.append(
            Task(
                kind=VOTE,
                object_id=item.pk,
                reference=application.reference,
                title=application.title,
                url=reverse("my_votes"),
                organisation=application.organisation.name,
                waiting_since=None,
                days_waiting=None,
                due_on=due,
                days_overdue=0 if due is None else max(0, (today - due).days),
                assignee=None,
                action=_("Cast your vote"),
            )
        )
    if not tasks:
        return None
    return Section(
        VOTE, _("Votes in circulation"), tasks[:limit], len(tasks), reverse("my_votes"), assignable=False
    )


def inbox(
    user: Any,
    *,
    today: date,
    kind: str = "",
    assignment: str = ALL,
    overdue: bool = False,
    limit: int = LIMIT,
) -> list[Section]:
    """The person's inbox: one section per kind of task they take that has rows (after filters)."""
    sections: list[Section] = []
    for k in all_kinds():
        if kind and k.key != kind:
            continue
        if k.for_carriers and assignment == UNASSIGNED:
            continue  # the carrier's own tasks are not assigned in an office
        # A carrier's own tasks are all theirs: "assigned to me" keeps them.
        qs = kind_rows(
            k, user, today=today, assignment=ALL if k.for_carriers else assignment, overdue=overdue
        )
        if qs is None:
            continue
        section, _rows = _section(k, qs, today=today, limit=limit)
        if section.count:
            sections.append(section)
    votes = _votes(user, today=today, kind=kind, assignment=assignment, overdue=overdue, limit=limit)
    if votes is not None:
        sections.append(votes)
    _with_assignees(sections)
    return sections


def _with_assignees(sections: list[Section]) -> None:
    """Replace assignee ids by users, with one query for every shown row."""
    ids = {t.assignee for s in sections for t in s.tasks if t.assignee is not None}
    if not ids:
        return
    users = User.objects.in_bulk(ids)
    for section in sections:
        section.tasks[:] = [
            t if t.assignee is None else replace(t, assignee=users.get(t.assignee)) for t in section.tasks
        ]


def kind_choices(user: Any) -> list[tuple[str, str | Promise]]:
    """The kinds this person takes (for the filter), without a query beyond the role caches."""
    roles = {role for _path, role in office_roles(user)}
    carrier = bool(carrier_organisation_ids(user))
    choices: list[tuple[str, str | Promise]] = [
        (k.key, k.label) for k in all_kinds() if (carrier if k.for_carriers else bool(roles & set(k.roles)))
    ]
    choices.append((VOTE, _("Votes in circulation")))
    return choices


def task_object(kind_key: str, object_id: int, user: Any, *, today: date) -> tuple[Kind, Any] | None:
    """The object of one task in ``user``'s inbox (None when it is not there)."""
    kind = kind_by_key(kind_key)
    if kind is None or kind.for_carriers:
        return None
    qs = kind.rows(user, today)
    if qs is None:
        return None
    obj = qs.select_related(*kind.related).filter(pk=object_id).first()
    return None if obj is None else (kind, obj)
