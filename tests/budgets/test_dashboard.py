from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import BudgetEnvelope
from budgets.services.commitments import commit_instalments
from tests.budgets.factories import (
    FundingProgrammeFactory,
    UserFactory,
    envelope,
    finance_user,
    membership,
    office,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal


@pytest.fixture
def client(client, settings):
    # The language switcher's cookie: exact texts in the msgid language, whatever the catalogue says.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def world():
    root = office(kind="federal", name="Bundesamt", short_name="BAFzA", code="BUND")
    sn = office(parent=root, kind="state", name="Demokratie-Zentrum Sachsen", short_name="DZ SN", code="SN")
    th = office(
        parent=root, kind="state", name="Landesstelle Thüringen", short_name="TH", code="TH", state="TH"
    )
    le = office(parent=sn, kind="local", name="PfD Leipzig", short_name="PfD LE", code="SN-LE")
    dd = office(parent=sn, kind="local", name="PfD Dresden", short_name="PfD DD", code="SN-DD")
    for node in (root, sn, th, le, dd):
        node.refresh_from_db()  # siblings are ordered by name, so inserting one may move another's path
    programme = FundingProgrammeFactory(code="WOS")
    envelope(office=sn, programme=programme, allocated=D("100000"))
    envelope(office=le, programme=programme, allocated=D("20000"))
    envelope(office=th, programme=programme, allocated=D("777000"))
    commit_instalments(
        office=le,
        programme=programme,
        instalments={2026: D("15000")},
        reference="SN-LE-2026-1",
        by=UserFactory(),
    )
    commit_instalments(
        office=dd,
        programme=programme,
        instalments={2026: D("40000")},
        reference="SN-DD-2026-7",
        by=UserFactory(),
    )
    return {"root": root, "sn": sn, "th": th, "le": le, "dd": dd, "programme": programme}


def test_finance_staff_see_only_their_subtree(client, world):
    client.force_login(finance_user(world["sn"]))
    page = client.get(reverse("budget_dashboard")).content.decode()
    assert "Demokratie-Zentrum Sachsen" in page
    assert "Thüringen" not in page
    assert "€120,000.00" in page  # allocated in the Saxon subtree
    assert "€65,000.00" in page  # available: 120,000 − 55,000
    assert client.get(reverse("budget_dashboard"), {"office": world["th"].pk}).status_code == 403
    assert client.get(reverse("budget_dashboard"), {"office": world["root"].pk}).status_code == 403


def test_drill_down_from_state_to_local_office_to_its_grants(client, world):
    client.force_login(finance_user(world["root"]))
    page = client.get(reverse("budget_dashboard"), {"office": world["sn"].pk}).content.decode()
    assert "PfD Leipzig" in page and "PfD Dresden" in page
    assert "SN-DD-2026-7" in page  # booked on the state office's own envelope
    # The filter keeps the office and resets to it.
    pk = world["sn"].pk
    assert (
        f'name="office" value="{pk}"' in page and f'href="{reverse("budget_dashboard")}?office={pk}"' in page
    )
    local = client.get(reverse("budget_dashboard"), {"office": world["le"].pk}).content.decode()
    assert "SN-LE-2026-1" in local
    assert "SN-DD-2026-7" not in local


def test_dashboard_costs_a_fixed_number_of_queries(client, world):
    user = finance_user(world["root"])
    client.force_login(user)
    url = reverse("budget_dashboard")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"office": world["sn"].pk, "year": 2026}).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        local = office(parent=world["sn"], kind="local", code=f"SN-{i}")
        envelope(office=local, programme=world["programme"], allocated=D("1000"))
    assert count() == before


def test_filters_narrow_the_figures(client, world):
    envelope(office=world["sn"], programme=world["programme"], budget_year=2027, allocated=D("3000"))
    client.force_login(finance_user(world["sn"]))
    page = client.get(reverse("budget_dashboard"), {"year": 2027}).content.decode()
    assert "€120,000.00" not in page
    assert "€3,000.00" in page


def test_people_without_a_budget_role_are_refused(client, world):
    officer = UserFactory()
    membership(officer, world["sn"], "case_officer")
    client.force_login(officer)
    assert client.get(reverse("budget_dashboard")).status_code == 403


def test_chart_is_server_rendered_svg(client, world):
    client.force_login(finance_user(world["sn"]))
    response = client.get(reverse("budget_chart"), {"office": world["sn"].pk})
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.lstrip().startswith("<?xml") and "<svg" in body
    assert "PfD LE" in body and "Committed" in body


def test_import_page_dry_run_then_confirm(client, world):
    client.force_login(finance_user(world["sn"]))
    csv = "Stelle;Programm;Haushaltsjahr;Mittelherkunft;Haushaltstitel;Ansatz\nSN-DD;WOS;2027;Land;0601 684 21;9.999,99\n"
    upload = SimpleUploadedFile("ansatz.csv", csv.encode(), content_type="text/csv")
    response = client.post(reverse("budget_import"), {"action": "dry_run", "file": upload})
    assert response.status_code == 200
    assert "1 envelope can be imported." in response.content.decode()
    assert not BudgetEnvelope.objects.filter(budget_year=2027).exists()
    digest = response.context["report"].digest
    response = client.post(reverse("budget_import"), {"action": "confirm", "digest": digest})
    assert response.status_code == 302
    assert BudgetEnvelope.objects.filter(budget_year=2027, office=world["dd"]).count() == 1
