"""Amendment pages: the carrier's complete new plan, four eyes in the office, versions side by side."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.awards.models import Amendment, Grant
from tests.budgets.factories import UserFactory
from tests.grants.test_services_amendment import SHIFT_4000, create
from tests.grants.test_services_amendment import world as world

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def _post_data(lines, instalments, reason="Mehr Workshops im zweiten Jahr"):
    data = {"reason": reason, "new_period_end": ""}
    for i, line in enumerate(lines):
        kind = f"e:{line['category']}" if "category" in line else f"c:{line['cover_kind']}"
        data |= {
            f"row_{i}_kind": kind,
            f"row_{i}_text": line.get("text", ""),
            f"row_{i}_year": str(line["budget_year"]),
            f"row_{i}_amount": str(line["amount"]),
        }
    for year, amount in instalments.items():
        data[f"instalment_{year}"] = str(amount)
    return data


def test_amendment_is_requested_decided_and_shown_as_a_new_version(client, world):
    grant = world["grant"]
    client.force_login(world["carrier"])
    page = html(client.get(reverse("amendment_new", args=[grant.pk])))
    assert 'value="20.000,00"' in page  # the current plan is the starting point
    response = client.post(reverse("amendment_new", args=[grant.pk]), _post_data(**SHIFT_4000))
    amendment = Amendment.objects.get(grant=grant)
    assert response.status_code == 302
    assert amendment.lines.count() == 8

    def step(name, **data):
        return client.post(reverse("amendment_step", args=[grant.pk, amendment.pk, name]), data)

    step("submit")
    client.force_login(world["officer"])
    assert step("approve").status_code == 403
    step("propose", comment="Plausibel")
    client.force_login(world["approver"])
    step("approve", comment="Genehmigt")
    assert Amendment.objects.get(pk=amendment.pk).state == "approved"
    page = html(client.get(reverse("grant_amendments", args=[grant.pk])))
    assert (
        page.count('<div class="version"') == 1 and page.count('<div class="version version--current"') == 1
    )
    assert "24.000,00 €" in page and "16.000,00 €" in page
    assert [(i.budget_year, i.amount) for i in Grant.objects.get(pk=grant.pk).instalments.all()] == [
        (2026, Decimal("18500.00")),
        (2027, Decimal("26500.00")),
    ]


def test_the_proposer_cannot_approve_through_the_page(client, world):
    grant = world["grant"]
    from tests.budgets.factories import membership

    membership(world["officer"], world["sn"], "approver")
    amendment = create(world, **SHIFT_4000)
    client.force_login(world["carrier"])
    client.post(reverse("amendment_step", args=[grant.pk, amendment.pk, "submit"]))
    client.force_login(world["officer"])
    client.post(reverse("amendment_step", args=[grant.pk, amendment.pk, "propose"]))
    page = html(client.get(reverse("amendment_detail", args=[grant.pk, amendment.pk])))
    assert "Änderungsantrag bewilligen" not in page  # no button for a step the rule refuses
    response = client.post(reverse("amendment_step", args=[grant.pk, amendment.pk, "approve"]))
    assert Amendment.objects.get(pk=amendment.pk).state == "proposed"
    assert response.status_code == 403
    assert (
        "Vier-Augen-Prinzip: Die Entscheidung muss eine andere Person treffen als die, die sie vorgeschlagen hat."
        in html(response)
    )


def test_amendment_pages_are_hidden_from_other_organisations_and_unrelated_offices(client, world):
    grant = world["grant"]
    amendment = create(world, **SHIFT_4000)
    urls = [
        ("get", reverse("grant_amendments", args=[grant.pk])),
        ("get", reverse("amendment_new", args=[grant.pk])),
        ("get", reverse("amendment_detail", args=[grant.pk, amendment.pk])),
        ("get", reverse("amendment_edit", args=[grant.pk, amendment.pk])),
        *[
            ("post", reverse("amendment_step", args=[grant.pk, amendment.pk, s]))
            for s in ("submit", "withdraw", "propose", "approve", "reject")
        ],
    ]
    for user in (world["other_carrier"], world["stranger_approver"], UserFactory()):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)
    client.force_login(world["officer"])
    assert client.get(reverse("amendment_new", args=[grant.pk])).status_code == 403
    assert client.get(reverse("amendment_edit", args=[grant.pk, amendment.pk])).status_code == 403
    assert client.get(reverse("amendment_detail", args=[grant.pk, amendment.pk])).status_code == 200


def test_the_page_shows_the_budget_effect_the_approval_will_check(client, world):
    from grants.awards.services.amendment import amendment_propose, amendment_submit
    from tests.grants.test_services_amendment import SUBMITTED_ON, plan

    grant = world["grant"]
    amendment = create(
        world,
        plan(y2026=(12000, 5000, 2500), y2027=(28000, 5000, 2500)),
        {2026: Decimal("14500"), 2027: Decimal("30500")},
    )
    amendment = amendment_submit(amendment=amendment, by=world["carrier"], today=SUBMITTED_ON)
    amendment_propose(amendment=amendment, by=world["officer"])
    client.force_login(world["approver"])
    page = html(client.get(reverse("amendment_detail", args=[grant.pk, amendment.pk])))
    assert "Auswirkung der Genehmigung auf den Haushalt" in page
    assert "7.500,00 €" in page and "30.500,00 €" in page
    assert "Haushaltsjahr 2027: Im Mittelansatz 0601 684 21 (DZ SN, WOS) sind 7.500,00 € verfügbar" in page
    response = client.post(reverse("amendment_step", args=[grant.pk, amendment.pk, "approve"]), follow=True)
    assert Amendment.objects.get(pk=amendment.pk).state == "proposed"
    assert "Haushaltsjahr 2027: Im Mittelansatz 0601 684 21 (DZ SN, WOS) sind 7.500,00 € verfügbar" in html(
        response
    )


@pytest.mark.parametrize(
    ("role", "step", "status", "sentence"),
    [
        (
            "carrier",
            "propose",
            403,
            "Nur die Sachbearbeitung der bewilligenden Stelle kann die Bewilligung eines Änderungsantrags vorschlagen.",
        ),
        ("officer", "submit", 403, "Nur der Zuwendungsempfänger kann einen Änderungsantrag stellen."),
        (
            "finance",
            "reject",
            403,
            "Nur eine bewilligende Person der bewilligenden Stelle kann über einen Änderungsantrag entscheiden.",
        ),
        ("approver", "withdraw", 403, "Nur der Zuwendungsempfänger kann einen Änderungsantrag stellen."),
        ("other_carrier", "withdraw", 404, ""),
        ("stranger_approver", "reject", 404, ""),
    ],
)
def test_a_step_url_refuses_with_the_rule_sentence_and_changes_nothing(
    client, world, role, step, status, sentence
):
    from grants.awards.services.amendment import amendment_submit
    from tests.grants.test_services_amendment import SUBMITTED_ON

    grant = world["grant"]
    amendment = amendment_submit(
        amendment=create(world, **SHIFT_4000), by=world["carrier"], today=SUBMITTED_ON
    )
    client.force_login(world[role])
    response = client.post(
        reverse("amendment_step", args=[grant.pk, amendment.pk, step]), {"reasons": "Nein", "comment": ""}
    )
    assert response.status_code == status
    assert sentence in html(response)
    assert Amendment.objects.get(pk=amendment.pk).state == "submitted"


def test_a_superuser_without_membership_sees_the_pages_but_is_offered_no_step(client, world):
    grant = world["grant"]
    amendment = create(world, **SHIFT_4000)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert "Änderungsantrag stellen" not in html(client.get(reverse("grant_amendments", args=[grant.pk])))
    page = html(client.get(reverse("amendment_detail", args=[grant.pk, amendment.pk])))
    assert "Hier gibt es für Sie derzeit nichts zu tun." in page
    assert "Änderungsantrag bearbeiten" not in page
    response = client.post(reverse("amendment_step", args=[grant.pk, amendment.pk, "submit"]))
    assert response.status_code == 403
    assert "Nur der Zuwendungsempfänger kann einen Änderungsantrag stellen." in html(response)
    assert Amendment.objects.get(pk=amendment.pk).state == "draft"
    client.force_login(world["carrier"])
    assert "Änderungsantrag stellen" not in html(client.get(reverse("grant_amendments", args=[grant.pk])))
    page = html(client.get(reverse("amendment_detail", args=[grant.pk, amendment.pk])))
    assert "Änderungsantrag einreichen" in page and "Änderungsantrag zurückziehen" in page
