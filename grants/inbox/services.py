"""Writes of the inbox: assigning a task to a colleague, and the bulk steps on piles of drawdowns.

A bulk step runs every item through the existing single-item service (which asks the named rule
and the item's own conditions) inside one transaction: when any item is refused, nothing is
written and the refusal names each refused item and why (all or nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.choices import StaffRole
from budgets.models import OfficeMembership
from budgets.rules import covers
from core.errors import DomainError
from core.formatting import format_eur
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_order
from grants.awards.selectors import drawdowns_visible_to
from grants.inbox.kinds import CARRIER, Kind
from grants.inbox.models import TaskAssignment
from grants.inbox.selectors import task_object
from grants.rules import carrier_organisation_ids, organisation_id_of

BULK_STEPS: dict[str, Callable[..., Drawdown]] = {
    "certify": drawdown_certify,
    "order": drawdown_order,
}


def may_take(user: Any, kind: Kind, obj: Any) -> bool:
    """The colleague may take this task: a role that takes the step in an office that handles the
    case (the case's office or one above it), and not a member of the case's organisation."""
    if CARRIER in kind.roles or not getattr(user, "is_active", False):
        return False
    return covers(user, kind.office_path(obj), kind.roles) and (
        organisation_id_of(obj) not in carrier_organisation_ids(user)
    )


def assignment_candidates(kind: Kind, obj: Any) -> list[User]:
    """Everyone :func:`may_take` accepts for this task, by name (one query for the memberships)."""
    path = kind.office_path(obj)
    memberships = OfficeMembership.objects.filter(role__in=kind.roles).select_related("user", "office")
    users: dict[int, User] = {}
    for m in memberships:
        if path.startswith(m.office.path):
            users.setdefault(m.user_id, m.user)
    return sorted(
        (u for u in users.values() if may_take(u, kind, obj)), key=lambda u: (u.last_name, u.first_name)
    )


@transaction.atomic
def task_assign(
    *, kind: str, object_id: int, assignee: User | None, by: User, today: date
) -> TaskAssignment | None:
    """Give the task to ``assignee`` (None: take the assignment back). Only someone whose inbox
    holds the task assigns it, and only to a colleague who may take it (:func:`may_take`)."""
    found = task_object(kind, object_id, by, today=today)
    if found is None:
        raise DomainError(_("This task is not in your inbox, so you cannot assign it."))
    task_kind, obj = found
    if assignee is None:
        TaskAssignment.objects.filter(kind=kind, object_id=object_id).delete()
        return None
    if not may_take(assignee, task_kind, obj):
        raise DomainError(
            _(
                "%(person)s cannot take this task: it needs the role “%(role)s” in the office handling %(case)s."
            )
            % {
                "person": assignee.get_full_name() or assignee.username,
                "role": ", ".join(str(StaffRole(r).label) for r in task_kind.roles),
                "case": task_kind.describe(obj)[0],
            }
        )
    assignment, _created = TaskAssignment.objects.update_or_create(
        kind=kind, object_id=object_id, defaults={"assignee": assignee, "assigned_by": by}
    )
    return assignment


def drawdowns_bulk(*, step: str, drawdown_ids: Iterable[int], by: User, comment: str = "") -> list[Drawdown]:
    """Certify (``certify``) or order (``order``) several drawdowns, all or nothing.

    Items are taken grant by grant in primary-key order (the one lock order: a grant before its
    children). Ids the user may not see are refused like any other item, without revealing them.
    """
    service = BULK_STEPS.get(step)
    if service is None:
        raise DomainError(_("Unknown bulk step “%(step)s”.") % {"step": step})
    ids = sorted({int(i) for i in drawdown_ids})
    if not ids:
        raise DomainError(_("Select at least one drawdown."))
    found = {d.pk: d for d in drawdowns_visible_to(by).filter(pk__in=ids)}
    refusals = [
        _("Drawdown no. %(number)s: not found or not visible to you.") % {"number": pk}
        for pk in ids
        if pk not in found
    ]
    done: list[Drawdown] = []
    with transaction.atomic():
        for drawdown in sorted(found.values(), key=lambda d: (d.grant_id, d.pk)):
            try:
                done.append(service(drawdown=drawdown, by=by, comment=comment))
            except DomainError as error:
                refusals.append(
                    _("%(file)s, %(amount)s: %(reason)s")
                    % {
                        "file": drawdown.grant.file_number,
                        "amount": format_eur(drawdown.amount),
                        "reason": " ".join(error.messages),
                    }
                )
        if refusals:
            transaction.set_rollback(True)
    if refusals:
        raise DomainError([_("Nothing was saved; refused:"), *refusals])
    return done
