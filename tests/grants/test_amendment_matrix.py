"""Who may take which step of an amendment: every role against every transition.

Each person may do exactly their steps; a refusal names the rule in German and leaves the
amendment's state, its history (StateLog), the ledger and the outbox exactly as they were.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied
from grants.awards.models import Amendment
from grants.awards.services.amendment import (
    amendment_approve,
    amendment_create,
    amendment_propose,
    amendment_reject,
    amendment_submit,
    amendment_update,
    amendment_withdraw,
)
from tests.budgets.factories import UserFactory, membership, office
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_amendment import SHIFT_4000, SUBMITTED_ON
from tests.grants.test_services_amendment import world as world

pytestmark = pytest.mark.django_db

ONLY_RECIPIENT = "Nur der Zuwendungsempfänger kann einen Änderungsantrag stellen."
ONLY_CASE_OFFICER = "Nur die Sachbearbeitung der bewilligenden Stelle kann die Bewilligung eines Änderungsantrags vorschlagen."
ONLY_APPROVER = (
    "Nur eine bewilligende Person der bewilligenden Stelle kann über einen Änderungsantrag entscheiden."
)
OWN_ORGANISATION = "Niemand darf über einen Änderungsantrag der eigenen Organisation entscheiden."
FOUR_EYES = (
    "Vier-Augen-Prinzip: Die Entscheidung muss eine andere Person treffen als die, die sie vorgeschlagen hat."
)

ROLES = (
    "carrier",
    "other_carrier",
    "officer",
    "approver",
    "finance",
    "auditor",
    "sibling_staff",
    "superuser",
    "insider",
)

# step -> (the state it starts from, who may take it, the sentence everyone else gets
#          unless they are listed in OTHER_REFUSALS)
STEPS = {
    "create": (None, {"carrier", "insider"}, ONLY_RECIPIENT),
    "update": ("draft", {"carrier", "insider"}, ONLY_RECIPIENT),
    "submit": ("draft", {"carrier", "insider"}, ONLY_RECIPIENT),
    "withdraw": ("submitted", {"carrier", "insider"}, ONLY_RECIPIENT),
    "propose": ("submitted", {"officer"}, ONLY_CASE_OFFICER),
    "approve": ("proposed", {"approver"}, ONLY_APPROVER),
    "reject": ("proposed", {"approver"}, ONLY_APPROVER),
}
# The insider holds every office role in the granting office and belongs to the recipient.
OTHER_REFUSALS = {("propose", "insider"): OWN_ORGANISATION}
for step in ("approve", "reject"):
    OTHER_REFUSALS[(step, "insider")] = OWN_ORGANISATION


@pytest.fixture
def people(world):
    sn = world["sn"]
    auditor = UserFactory(username="auditor")
    membership(auditor, sn, "auditor")
    sibling = office(
        parent=type(sn).objects.get(code="BU"), name="Demokratie-Zentrum Thüringen", code="TH", kind="state"
    )
    sibling_staff = UserFactory(username="sibling_staff")
    for role in ("case_officer", "approver", "finance"):
        membership(sibling_staff, sibling, role)
    insider = carrier_user(world["grant"].organisation, username="insider")
    for role in ("case_officer", "approver", "finance", "auditor"):
        membership(insider, sn, role)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    carrier_user(OrganisationFactory(), username="unused")  # another organisation exists
    return {
        **world,
        "auditor": auditor,
        "sibling_staff": sibling_staff,
        "insider": insider,
        "superuser": superuser,
    }


def amendment_in(people, state):
    amendment = amendment_create(
        grant=people["grant"], by=people["carrier"], reason="Verschiebung nach 2027", **SHIFT_4000
    )
    if state in ("submitted", "proposed"):
        amendment = amendment_submit(amendment=amendment, by=people["carrier"], today=SUBMITTED_ON)
    if state == "proposed":
        amendment = amendment_propose(amendment=amendment, by=people["officer"])
    return amendment


def take(step, people, amendment, by):
    fresh = type(by).objects.get(pk=by.pk)  # roles are cached per user object
    if step == "create":
        return amendment_create(grant=people["grant"], by=fresh, reason="Neu", **SHIFT_4000)
    if step == "update":
        return amendment_update(amendment=amendment, by=fresh, reason="Geändert")
    if step == "submit":
        return amendment_submit(amendment=amendment, by=fresh, today=SUBMITTED_ON)
    if step == "reject":
        return amendment_reject(amendment=amendment, by=fresh, reasons="Nicht begründet")
    service = {"withdraw": amendment_withdraw, "propose": amendment_propose, "approve": amendment_approve}[
        step
    ]
    return service(amendment=amendment, by=fresh)


def traces(people):
    return (
        list(Amendment.objects.order_by("pk").values_list("pk", "state", "reason")),
        list(StateLog.objects.order_by("pk").values_list("pk", "state")),
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount")),
        len(mail.outbox),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_role_may_take_exactly_its_amendment_steps(people, step, role):
    start, allowed, refusal = STEPS[step]
    amendment = amendment_in(people, start) if start else None
    before = traces(people)

    with translation.override("de"):
        if role in allowed:
            result = take(step, people, amendment, people[role])
            assert traces(people) != before
            assert (
                result.state
                == {
                    "create": "draft",
                    "update": "draft",
                    "submit": "submitted",
                    "withdraw": "withdrawn",
                    "propose": "proposed",
                    "approve": "approved",
                    "reject": "rejected",
                }[step]
            )
        else:
            with pytest.raises(AccessDenied) as exc:
                take(step, people, amendment, people[role])
            assert exc.value.messages == [OTHER_REFUSALS.get((step, role), refusal)]
            assert traces(people) == before


def test_the_proposer_may_not_decide_even_with_the_approver_role(people):
    officer = people["officer"]
    membership(officer, people["sn"], "approver")
    amendment = amendment_in(people, "proposed")
    before = traces(people)
    for service, kwargs in ((amendment_approve, {}), (amendment_reject, {"reasons": "Nein"})):
        with translation.override("de"), pytest.raises(AccessDenied) as exc:
            service(amendment=amendment, by=type(officer).objects.get(pk=officer.pk), **kwargs)
        assert exc.value.messages == [FOUR_EYES]
        assert traces(people) == before
    assert amendment_approve(amendment=amendment, by=people["approver"]).state == "approved"


def test_a_submitted_amendment_can_be_rejected_before_anyone_proposed_it(people):
    amendment = amendment_in(people, "submitted")
    assert amendment_reject(amendment=amendment, by=people["approver"], reasons="Nein").state == "rejected"


@pytest.mark.parametrize("role", ROLES)
def test_the_page_offers_exactly_the_transitions_the_rules_allow(people, role):
    states = {"draft": amendment_in(people, "draft")}
    user = type(people[role]).objects.get(pk=people[role].pk)
    offered = {
        name: {t.name for t in a.get_available_user_state_transitions(user)} for name, a in states.items()
    }
    expected = {"submit", "withdraw"} if role in ("carrier", "insider") else set()
    assert offered == {"draft": expected}
    amendment_submit(amendment=states["draft"], by=people["carrier"], today=SUBMITTED_ON)
    submitted = Amendment.objects.get(pk=states["draft"].pk)
    expected = {
        "carrier": {"withdraw"},
        "insider": {"withdraw"},
        "officer": {"propose"},
        "approver": {"reject"},
    }.get(role, set())
    assert {t.name for t in submitted.get_available_user_state_transitions(user)} == expected
    proposed = amendment_propose(amendment=submitted, by=people["officer"])
    proposed = Amendment.objects.get(pk=proposed.pk)
    expected = {
        "carrier": {"withdraw"},
        "insider": {"withdraw"},
        "approver": {"approve", "reject"},
    }.get(role, set())
    assert {t.name for t in proposed.get_available_user_state_transitions(user)} == expected
