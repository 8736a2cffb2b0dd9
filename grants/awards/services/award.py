"""The award: approving an application creates the grant and commits the budget.

This is the seam between the pre-award workflow (``grants.applications``) and the grants: the
approval runs the application's ``approve`` step through the same helpers as every other step
(lock, state, the named rule ``grants.decide_application``), then freezes the application into a
grant and commits the annual instalments against the budget, all in one transaction, so a
failure in any part leaves no state change, no ledger row and no e-mail behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction

from budgets.services.commitments import commit_instalments, funding_shares
from core.errors import DomainError
from grants.applications.models import Application
from grants.applications.selectors import approval_budget
from grants.applications.services.application import TRANSITION_SERVICES, begin_step, finish_step
from grants.awards.services.grant import grant_create_from_application

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def application_approve(*, application: Application, by: User, comment: str = "") -> Application:
    """Approve the proposal: the single seam where the grant and the budget commitment attach.

    The budget is read with :func:`grants.applications.selectors.approval_budget`, the same read
    the approval step on the page shows.
    """
    locked = begin_step(application, "approve", by=by)
    refusals = [row.problem for row in approval_budget(locked) if not row.fits]
    if refusals:
        raise DomainError(refusals)
    approved = finish_step(locked, "approve", by=by, comment=comment)
    grant = grant_create_from_application(application=approved, by=by)
    # Checked again under the envelope locks: a concurrent approval may have taken the money.
    commit_instalments(
        office=approved.office,
        programme=approved.programme,
        instalments={i.budget_year: i.amount for i in grant.instalments.all()},
        reference=grant.file_number,
        by=by,
        comment=approved.reference,
        fund=approved.fund,
        # The official's split across funding sources (DOMAIN.md §8) carries over to the grant.
        shares=funding_shares(approved.reference),
    )
    return approved


# Every step of the application workflow with its service, in display order.
WORKFLOW_SERVICES: dict[str, Callable[..., Application]] = {
    **{name: service for name, service in TRANSITION_SERVICES.items() if name not in ("reject", "withdraw")},
    "approve": application_approve,
    "reject": TRANSITION_SERVICES["reject"],
    "withdraw": TRANSITION_SERVICES["withdraw"],
}

__all__ = ["WORKFLOW_SERVICES", "application_approve"]
