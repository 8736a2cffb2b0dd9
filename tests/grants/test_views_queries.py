"""Pages cost a fixed number of SQL queries, however many rows, lines, log entries or files."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.applications.models import CoverLine, ExpenditureLine
from grants.applications.services.application import (
    application_request_revision,
    application_start_formal_check,
    application_submit,
)
from grants.applications.services.attachment import attachment_add
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, add_plan, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    root = office(kind="federal")
    sn = office(parent=root, kind="state")
    organisation = OrganisationFactory()
    carrier = carrier_user(organisation)
    officer = UserFactory()
    membership(officer, sn, "case_officer")
    return {"office": sn, "organisation": organisation, "carrier": carrier, "officer": officer}


def _applications(world, n, *, submitted=False):
    programme = FundingProgrammeFactory()
    for _ in range(n):
        app = ApplicationFactory(
            office=world["office"],
            organisation=world["organisation"],
            programme=programme,
            created_by=world["carrier"],
        )
        add_plan(app, third=Decimal("500"))
        if submitted:
            application_submit(application=app, by=world["carrier"])


def _count(client, django_assert_num_queries, url, expected):
    client.get(url)  # warm caches that live for the process (content types, templates)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("rows", [1, 20])
def test_my_applications_list_costs_the_same_queries_for_1_and_20_rows(
    client, world, django_assert_num_queries, rows
):
    _applications(world, rows)
    client.force_login(world["carrier"])
    # session, user, carrier's organisations, count, rows with the grant subquery, nav (2)
    response = _count(client, django_assert_num_queries, reverse("application_list"), 7)
    assert response.content.decode().count('class="badge badge--draft"') == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_worklist_costs_the_same_queries_for_1_and_20_rows(client, world, django_assert_num_queries, rows):
    _applications(world, rows, submitted=True)
    client.force_login(world["officer"])
    # session, user, office roles, count, rows, programme and office filter options, nav (2),
    # deadlines (6: one count of every list, then the first few proofs due soon, proofs overdue,
    # drawdowns not used in time, objections ending, first checks of proofs)
    response = _count(client, django_assert_num_queries, reverse("worklist") + "?o=amount", 15)
    assert response.content.decode().count('class="badge badge--submitted"') == rows


def _detail_with(world, n):
    app = ApplicationFactory(
        office=world["office"], organisation=world["organisation"], created_by=world["carrier"]
    )
    for i in range(n):
        ExpenditureLine.objects.create(
            application=app,
            category="staff",
            description=f"Stelle {i}",
            budget_year=2026,
            amount=Decimal("1000"),
        )
        CoverLine.objects.create(application=app, kind="own", budget_year=2026, amount=Decimal("100"))
        CoverLine.objects.create(application=app, kind="grant", budget_year=2026, amount=Decimal("900"))
        attachment_add(
            application=app,
            by=world["carrier"],
            kind="concept",
            upload=SimpleUploadedFile(f"konzept{i}.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        )
    for _ in range(n):
        app = application_submit(application=app, by=world["carrier"])
        app = application_start_formal_check(application=app, by=world["officer"])
        app = application_request_revision(application=app, by=world["officer"], comment="Bitte ergänzen.")
    return app


@pytest.mark.parametrize("n", [1, 20])
def test_detail_page_costs_the_same_queries_for_1_and_20_lines_entries_and_files(
    client, world, django_assert_num_queries, n
):
    app = _detail_with(world, n)
    client.force_login(world["officer"])
    # session, user, application (+ proposer/decider), 4 prefetches (expenditure, cover,
    # instalments, attachments with uploader), timeline, office roles, carrier
    # organisations (rules), nav (2), issued documents, early-start requests
    response = _count(
        client, django_assert_num_queries, reverse("application_detail", args=[app.pk]), 16
    )  # + the messages and their files
    html = response.content.decode()
    assert html.count("Bitte ergänzen.") == 2 * n  # in the history and in the thread
    assert html.count("konzept") >= n


@pytest.mark.parametrize("n", [1, 20])
def test_detail_page_for_the_carrier_costs_the_same_queries_for_1_and_20_lines(
    client, world, django_assert_num_queries, n
):
    app = _detail_with(world, n)
    client.force_login(world["carrier"])
    response = _count(client, django_assert_num_queries, reverse("application_detail", args=[app.pk]), 16)
    assert f'action="{reverse("attachment_upload", args=[app.pk])}"' in response.content.decode()
