"""Who may take which step of a grant and of its reclaims: every role against every step.

The grant's steps (record the notice's posting, record, conclude or waive an objection, revoke)
and the reclaim's (decide, book a repayment, waive interest, claim late-use interest, record
when money was used). Each person may do exactly their steps; a refusal names the rule in German
and leaves the grant's and the reclaims' state, the history (StateLog), the ledger and the
outbox exactly as they were.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import AccessDenied
from grants.awards.models import Grant, Reclaim, Repayment
from grants.awards.payments.models import Drawdown
from grants.awards.services.grant import (
    grant_notice_post,
    grant_objection_conclude,
    grant_objection_record,
    grant_objection_waive,
)
from grants.awards.services.reclaim import (
    drawdown_record_use,
    grant_revoke,
    late_use_interest_claim,
    reclaim_decide,
    reclaim_waive_interest,
    repayment_book,
)
from grants.carriers.models import OrganisationMembership
from tests.budgets.factories import UserFactory, membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_reclaim import build_grant, pay
from tests.grants.test_services_reclaim import world as world

pytestmark = pytest.mark.django_db

D = Decimal

ONLY_POSTING = (
    "Nur die Sachbearbeitung oder die Bewilligung der bewilligenden Stelle darf den Postversand des "
    "Bescheids erfassen."
)
ONLY_OBJECTION = (
    "Nur die Sachbearbeitung oder die Bewilligung der bewilligenden Stelle darf einen Widerspruch erfassen."
)
ONLY_CONCLUDE = (
    "Nur Sachbearbeitung oder Bewilligung der bewilligenden Stelle können einen Widerspruch abschließen."
)
ONLY_RECIPIENT_WAIVES = "Nur der Zuwendungsempfänger kann einen Rechtsbehelfsverzicht erklären."
ONLY_APPROVER_REVOKES = "Nur die Bewilligung der bewilligenden Stelle kann eine Zuwendung widerrufen."
ONLY_DECIDER = (
    "Nur die Sachbearbeitung oder eine bewilligende Person der bewilligenden Stelle kann über eine "
    "Rückforderung entscheiden."
)
ONLY_FINANCE = "Nur Beschäftigte von Haushalt/Kasse der bewilligenden Stelle können eine Rückzahlung buchen."
ONLY_APPROVER_WAIVES = "Nur die Bewilligung der bewilligenden Stelle kann auf Zinsen verzichten."
ONLY_RECIPIENT_OR_OFFICER = (
    "Nur der Zuwendungsempfänger oder die Sachbearbeitung kann erfassen, wann die Mittel verwendet wurden."
)
OWN_ORGANISATION = "Niemand darf über einen Fall der eigenen Organisation entscheiden."

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

DECIDING_STAFF = {"officer", "approver"}
RECIPIENT = {"carrier", "insider"}

# step -> (who may take it, the sentence everyone else gets; the insider, a member of the
# recipient holding every office role, gets OWN_ORGANISATION for every decision)
STEPS = {
    "post_notice": (DECIDING_STAFF, ONLY_POSTING),
    "record_objection": (DECIDING_STAFF, ONLY_OBJECTION),
    "conclude_objection": (DECIDING_STAFF, ONLY_CONCLUDE),
    "waive_objection": (RECIPIENT, ONLY_RECIPIENT_WAIVES),
    "revoke": ({"approver"}, ONLY_APPROVER_REVOKES),
    "decide_reclaim": (DECIDING_STAFF, ONLY_DECIDER),
    "book_repayment": ({"finance"}, ONLY_FINANCE),
    "waive_interest": ({"approver"}, ONLY_APPROVER_WAIVES),
    "claim_late_use_interest": (DECIDING_STAFF, ONLY_DECIDER),
    "record_use_of_funds": ({"carrier", "insider", "officer"}, ONLY_RECIPIENT_OR_OFFICER),
}
# The recipient's own steps are no decisions: there the insider acts as a member.
NOT_A_DECISION = {"waive_objection", "record_use_of_funds"}


@pytest.fixture
def people(world):
    """A notified grant (the notice's steps) and a running one with 5,000.00 paid on 01.10.2024.

    The carrier and the insider belong to both recipients (build_grant makes one per grant).
    """
    notice = build_grant(world, instalments={2025: "9000.00"})
    grant = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    drawdown = pay(grant, world, "5000.00", date(2024, 10, 1))  # window ends 12.11.2024
    OrganisationMembership.objects.create(user=world["carrier"], organisation=notice.organisation)
    sibling_staff = UserFactory(username="sibling_staff")
    for role in ("case_officer", "approver", "finance", "auditor"):
        membership(sibling_staff, world["mv"], role)
    auditor = UserFactory(username="auditor")
    membership(auditor, world["sn"], "auditor")
    insider = carrier_user(grant.organisation, username="insider")
    OrganisationMembership.objects.create(user=insider, organisation=notice.organisation)
    for role in ("case_officer", "approver", "finance", "auditor"):
        membership(insider, world["sn"], role)
    return {
        **world,
        "notice": Grant.objects.get(pk=notice.pk),
        "grant": Grant.objects.get(pk=grant.pk),
        "drawdown": drawdown,
        "other_carrier": carrier_user(OrganisationFactory(), username="other_carrier"),
        "auditor": auditor,
        "sibling_staff": sibling_staff,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
        "insider": insider,
    }


def _posted(people) -> Grant:
    return grant_notice_post(grant=people["notice"], posted_on=timezone.localdate(), by=people["officer"])


def _reclaim(people) -> Reclaim:
    return reclaim_decide(
        grant=people["grant"],
        kind="settlement",
        principal=D("1000.00"),
        reasons="Weniger Ausgaben als geplant",
        by=people["officer"],
        decided_on=date(2024, 11, 15),
    )


def prepare(step: str, people):
    """The object the step is taken on, brought to the state the step starts from."""
    if step == "post_notice":
        return people["notice"]
    if step in ("record_objection", "waive_objection"):
        return _posted(people)
    if step == "conclude_objection":
        grant = _posted(people)
        return grant_objection_record(grant=grant, lodged_on=grant.posted_on, by=people["officer"])
    if step in ("revoke", "decide_reclaim"):
        return people["grant"]
    if step in ("book_repayment", "waive_interest"):
        return _reclaim(people)
    if step == "claim_late_use_interest":
        return drawdown_record_use(
            drawdown=people["drawdown"], used_on=date(2025, 1, 10), by=people["carrier"]
        )
    return people["drawdown"]


def take(step: str, obj, by):
    by = type(by).objects.get(pk=by.pk)  # roles are cached per user object
    if step == "post_notice":
        return grant_notice_post(grant=obj, posted_on=timezone.localdate(), by=by)
    if step == "record_objection":
        return grant_objection_record(grant=obj, lodged_on=obj.posted_on, by=by)
    if step == "conclude_objection":
        final_on = obj.objection_deadline + timedelta(days=1)
        return grant_objection_conclude(grant=obj, final_on=final_on, by=by, comment="Zurückgenommen")
    if step == "waive_objection":
        return grant_objection_waive(grant=obj, waived_on=obj.posted_on, by=by)
    if step == "revoke":
        return grant_revoke(grant=obj, by=by, revoked_on=date(2025, 3, 1), reasons="Zweck entfallen")
    if step == "decide_reclaim":
        return reclaim_decide(
            grant=obj,
            kind="settlement",
            principal=D("1000.00"),
            reasons="Weniger Ausgaben als geplant",
            by=by,
            decided_on=date(2024, 11, 15),
        )
    if step == "book_repayment":
        return repayment_book(reclaim=obj, amount=D("100.00"), received_on=date(2025, 2, 15), by=by)
    if step == "waive_interest":
        return reclaim_waive_interest(reclaim=obj, reason="Härtefall", by=by)
    if step == "claim_late_use_interest":
        return late_use_interest_claim(drawdown=obj, by=by, decided_on=date(2025, 2, 1))
    return drawdown_record_use(drawdown=obj, used_on=date(2024, 10, 20), by=by)


def traces():
    return (
        list(
            Grant.objects.order_by("pk").values_list(
                "pk",
                "state",
                "posted_on",
                "objection_lodged_on",
                "objection_waived_on",
                "final_on",
                "revoked_on",
            )
        ),
        list(Reclaim.objects.order_by("pk").values_list("pk", "state", "interest_waived")),
        list(Repayment.objects.order_by("pk").values_list("pk", "amount")),
        list(Drawdown.objects.order_by("pk").values_list("pk", "state", "used_on")),
        list(StateLog.objects.order_by("pk").values_list("pk", "state")),
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount")),
        len(mail.outbox),
    )


def done(step: str, result) -> tuple:
    """What the step leaves behind when it is allowed."""
    if step == "post_notice":
        return ("posted", bool(result.posted_on and result.objection_deadline))
    if step == "record_objection":
        return ("objection", bool(result.objection_lodged_on))
    if step in ("conclude_objection", "waive_objection"):
        return ("final", result.state)
    if step == "revoke":
        return ("revoked", Grant.objects.get(pk=result.grant_id).state, result.principal)
    if step == "decide_reclaim":
        return ("reclaim", result.state, result.principal)
    if step == "book_repayment":
        return ("repayment", result.amount)
    if step == "waive_interest":
        return ("waived", result.interest_waived)
    if step == "claim_late_use_interest":
        return ("late_use", result.kind, result.interest_basis)
    return ("used", result.used_on)


EXPECTED = {
    "post_notice": ("posted", True),
    "record_objection": ("objection", True),
    "conclude_objection": ("final", "final"),
    "waive_objection": ("final", "final"),
    "revoke": ("revoked", "reclaim", D("5000.00")),
    "decide_reclaim": ("reclaim", "open", D("1000.00")),
    "book_repayment": ("repayment", D("100.00")),
    "waive_interest": ("waived", True),
    "claim_late_use_interest": ("late_use", "late_use", D("5000.00")),
    "record_use_of_funds": ("used", date(2024, 10, 20)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_role_may_take_exactly_its_grant_and_reclaim_steps(
    people, step, role, django_capture_on_commit_callbacks
):
    allowed, refusal = STEPS[step]
    obj = prepare(step, people)
    before = traces()

    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        if role in allowed:
            assert done(step, take(step, obj, people[role])) == EXPECTED[step]
            assert traces() != before
        else:
            with pytest.raises(AccessDenied) as exc:
                take(step, obj, people[role])
            expected = OWN_ORGANISATION if role == "insider" and step not in NOT_A_DECISION else refusal
            assert exc.value.messages == [expected]
    if role not in allowed:
        assert traces() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_grant_page_offers_exactly_the_transitions_the_rules_allow(people, role):
    user = type(people[role]).objects.get(pk=people[role].pk)

    def offered(grant):
        return {t.name for t in Grant.objects.get(pk=grant.pk).get_available_user_state_transitions(user)}

    revoker = {"revoke"} if role == "approver" else set()
    assert offered(people["grant"]) == revoker  # running
    assert offered(people["notice"]) == revoker  # notified, posting not recorded
    posted = _posted(people)
    assert offered(posted) == revoker | ({"waive_objection"} if role in RECIPIENT else set())
    lodged = grant_objection_record(grant=posted, lodged_on=posted.posted_on, by=people["officer"])
    assert offered(lodged) == revoker | {
        "carrier": {"waive_objection"},
        "insider": {"waive_objection"},
        "officer": {"conclude_objection"},
        "approver": {"conclude_objection"},
    }.get(role, set())


def test_nobody_may_take_a_follow_on_step_of_the_grant_as_a_step_of_its_own(people):
    grant = people["grant"]
    for role in ROLES:
        user = type(people[role]).objects.get(pk=people[role].pk)
        names = {t.name for t in grant.get_available_user_state_transitions(user)}
        assert not names & {
            "become_final",
            "start_running",
            "period_ended",
            "open_reclaim",
            "close",
            "settle",
        }


@pytest.mark.parametrize("role", ["auditor", "finance"])
def test_auditor_and_finance_can_no_longer_record_a_posting_or_an_objection_by_url(client, people, role):
    # Until issue 8 both pages and services asked only "staff of the office", so read-only
    # auditors and finance staff could set legal deadlines and hold back finality.
    grant = people["notice"]
    client.force_login(people[role])
    before = traces()
    response = client.post(reverse("grant_notice_post", args=[grant.pk]), {"posted_on": "2026-12-01"})
    assert response.status_code == 403
    assert ONLY_POSTING in response.content.decode()
    assert traces() == before
    _posted(people)
    before = traces()
    response = client.post(reverse("grant_objection_record", args=[grant.pk]), {"lodged_on": "2026-12-04"})
    assert response.status_code == 403
    assert ONLY_OBJECTION in response.content.decode()
    assert traces() == before
