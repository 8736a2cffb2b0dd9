"""Fixtures for the application-workflow tests: an office tree, two carriers and one person per role.

``workflow.bring_to(state)`` drives a fresh, valid application through the real services to
``state``, so every test starts from a state that was reached the way production reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from budgets.models import BudgetEnvelope, CoordinatingOffice, FundingProgramme
from grants.applications.models import Application, ApplicationState
from grants.awards.services.award import WORKFLOW_SERVICES as TRANSITION_SERVICES
from grants.carriers.models import Organisation
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, add_plan, carrier_user

S = ApplicationState

# The valid extra arguments each transition service needs besides ``application`` and ``by``.
TRANSITION_ARGS: dict[str, dict[str, Any]] = {
    "request_revision": {"comment": "Bitte den Kostenplan erläutern."},
    "propose_approval": {"instalments": {2026: Decimal("9000.00")}},
    "propose_rejection": {"reasons": "Das Vorhaben ist nicht förderfähig."},
    "return_proposal": {"comment": "Bitte die Höhe noch einmal prüfen."},
}

# The shortest path of transitions from a draft to each state.
_PATHS: dict[str, list[str]] = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.FORMAL_CHECK: ["submit", "start_formal_check"],
    S.CONTENT_REVIEW: ["submit", "start_formal_check", "complete_formal_check"],
    S.REVISION_REQUESTED: ["submit", "request_revision"],
    S.APPROVAL_PROPOSED: ["submit", "start_formal_check", "complete_formal_check", "propose_approval"],
    S.REJECTION_PROPOSED: ["submit", "start_formal_check", "complete_formal_check", "propose_rejection"],
    S.APPROVED: ["submit", "start_formal_check", "complete_formal_check", "propose_approval", "approve"],
    S.REJECTED: ["submit", "start_formal_check", "complete_formal_check", "propose_rejection", "reject"],
    S.WITHDRAWN: ["submit", "withdraw"],
}


@dataclass
class Workflow:
    federal: CoordinatingOffice
    state_office: CoordinatingOffice  # parent of ``office`` and ``sibling_office``
    office: CoordinatingOffice  # where the applications are filed
    sibling_office: CoordinatingOffice
    unrelated_office: CoordinatingOffice  # another root
    programme: FundingProgramme
    organisation: Organisation
    other_organisation: Organisation
    carrier: Any
    other_carrier: Any
    officer: Any  # case officer of ``office``
    ancestor_officer: Any  # case officer of ``state_office``
    sibling_officer: Any
    unrelated_officer: Any
    approver: Any  # approver of ``state_office``
    sibling_approver: Any
    finance: Any
    auditor: Any
    superuser: Any  # no memberships at all

    funded: bool = False

    def fund(self) -> None:
        """Budget envelopes at the state office for 2026 and 2027, created once when first needed.

        Approval commits the grant against the budget (DOMAIN.md §4.5); the state office's
        envelopes cover every office below it.
        """
        if not self.funded:
            for year in (2026, 2027):
                if BudgetEnvelope.objects.filter(
                    office=self.state_office, programme=self.programme, budget_year=year
                ).exists():
                    continue
                envelope(
                    office=self.state_office,
                    programme=self.programme,
                    budget_year=year,
                    allocated=Decimal("1e6"),
                )
            self.funded = True

    def person(self, role: str) -> Any:
        return AnonymousUser() if role == "anonymous" else getattr(self, role)

    def actor_for(self, transition: str) -> Any:
        """The person whose role lets them perform ``transition`` on a default application."""
        if transition in ("submit", "withdraw"):
            return self.carrier
        if transition in ("return_proposal", "approve", "reject"):
            return self.approver
        return self.officer

    def draft(self, *, plan: bool = True, **fields: Any) -> Application:
        values = {
            "office": self.office,
            "organisation": self.organisation,
            "programme": self.programme,
            "created_by": self.carrier,
        } | fields
        application = ApplicationFactory(**values)
        if plan:
            add_plan(application)  # 10,000 expenditure = 1,000 own + 9,000 grant, all in 2026
        return application

    def step(
        self, application: Application, transition: str, *, by: Any = None, **kwargs: Any
    ) -> Application:
        """Run ``transition`` through its service, by its usual actor unless ``by`` is given."""
        if transition in ("propose_approval", "approve"):
            self.fund()
        service = TRANSITION_SERVICES[transition]
        arguments = TRANSITION_ARGS.get(transition, {}) | kwargs
        return service(application=application, by=by or self.actor_for(transition), **arguments)

    def bring_to(self, state: str, application: Application | None = None) -> Application:
        application = application or self.draft()
        for transition in _PATHS[state]:
            application = self.step(application, transition)
        assert application.state == state
        return application


@pytest.fixture
def fast_password_hashing(settings):
    # The default PBKDF2 costs about a quarter second per user; these tests never log in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def workflow(db, fast_password_hashing) -> Workflow:
    # Created in name order: treebeard keeps siblings sorted by name and would otherwise move
    # paths of rows already created.
    federal = office(name="BAFzA", short_name="BAFzA", code="BU", kind="federal", state="NW")
    unrelated = office(name="Landeskoordinierung MV", short_name="LK MV", code="MV", kind="state", state="MV")
    state_office = office(parent=federal, name="Demokratie-Zentrum Sachsen", code="SN", kind="state")
    sibling = office(parent=state_office, name="PfD Dresden", code="SN-DD", kind="local")
    local = office(parent=state_office, name="PfD Leipzig", code="SN-L", kind="local")
    for node in (federal, unrelated, state_office, sibling, local):
        node.refresh_from_db()

    organisation = OrganisationFactory(name="Netzwerk für Demokratie e.V.", email="info@netzwerk.example.org")
    other_organisation = OrganisationFactory(name="Anderer Verein e.V.")
    staff = {}
    for name, place, role in [
        ("officer", local, "case_officer"),
        ("ancestor_officer", state_office, "case_officer"),
        ("sibling_officer", sibling, "case_officer"),
        ("unrelated_officer", unrelated, "case_officer"),
        ("approver", state_office, "approver"),
        ("sibling_approver", sibling, "approver"),
        ("finance", local, "finance"),
        ("auditor", local, "auditor"),
    ]:
        staff[name] = UserFactory(username=name)
        membership(staff[name], place, role)

    programme = FundingProgrammeFactory(name="Weltoffenes Sachsen", code="WOS")
    # The programme is run by the federal office (a far budget year, empty): applications to
    # the offices below can be addressed; each test books the budget years it approves itself.
    envelope(
        office=federal,
        programme=programme,
        budget_year=2099,
        allocated=Decimal("0"),
        budget_title="0000 000 00",
    )
    return Workflow(
        federal=federal,
        state_office=state_office,
        office=local,
        sibling_office=sibling,
        unrelated_office=unrelated,
        programme=programme,
        organisation=organisation,
        other_organisation=other_organisation,
        carrier=carrier_user(organisation, username="carrier", email="carrier@netzwerk.example.org"),
        other_carrier=carrier_user(other_organisation, username="other_carrier"),
        superuser=UserFactory(username="superuser", is_superuser=True, is_staff=True),
        **staff,
    )


class Clock:
    """A settable ``timezone.now`` for rules that depend on the day (deadlines, references)."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def set(self, year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> None:
        self.now = datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock
