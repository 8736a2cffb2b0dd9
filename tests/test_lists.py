"""The lists as a person uses them: search, filter, sort every column, page on, and never see
another organisation's or a sibling office's rows through a search or a filter."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import User
from grants.applications.models import Application
from grants.awards.models import Grant
from grants.awards.payments.models import Drawdown, PaymentRun
from grants.awards.selectors import grants_visible_to
from reporting.models import ExportFormat, ExportJob, ExportKind

pytestmark = pytest.mark.django_db

LISTS = {
    # url: (a user who sees it, the sortable column keys)
    "/arbeitsliste/": (
        "sachbearbeitung",
        ["reference", "title", "carrier", "office", "programme", "state", "submitted", "amount"],
    ),
    "/antraege/": ("traeger", ["reference", "title", "programme", "state", "updated", "amount"]),
    "/zuwendungen/": (
        "sachbearbeitung",
        ["file_number", "title", "office", "programme", "period", "state", "amount"],
    ),
    "/mittelabrufe/": ("finanzen", ["file_number", "recipient", "purpose", "needed", "state", "amount"]),
    "/dokumente/zahllaeufe/": ("finanzen", ["reference", "execution", "state", "payments", "total"]),
    "/dokumente/exporte/": ("finanzen", ["kind", "format", "started", "state", "rows"]),
}


def _login(client, username: str) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def _rows(html: str) -> list[str]:
    """The rows of the page's list (the table whose header sorts), not of other panels."""
    start = html.find('class="sort-link"')
    if start < 0:
        return []
    body = html[start:].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)


@pytest.mark.parametrize("url", list(LISTS))
def test_every_column_of_every_list_sorts_both_ways(demo_world, client, url):
    username, keys = LISTS[url]
    user = _login(client, username)
    _one_row_of_each_kind_the_demo_lacks(user)
    for key in keys:
        for order, direction in ((key, "ascending"), (f"-{key}", "descending")):
            response = client.get(url, {"o": order})
            assert response.status_code == 200, (url, order)
            assert f'aria-sort="{direction}"' in response.content.decode(), (url, order)


def _one_row_of_each_kind_the_demo_lacks(user: User) -> None:
    """The demo world has no payment run and no export yet: the creator sees their own."""
    ExportJob.objects.create(created_by=user, kind=ExportKind.GRANTS, format=ExportFormat.CSV)
    PaymentRun.objects.create(
        reference="ZL-TEST-1",
        execution_date=date(2026, 12, 10),
        debtor_name="Kasse",
        debtor_iban="DE02120300000000202051",
        debtor_bic="BYLADEM1001",
        total_amount=Decimal("100.00"),
        payment_count=1,
        file_name="zl.xml",
        created_by=user,
    )


def test_the_worklist_searches_reference_title_and_carrier(demo_world, client):
    _login(client, "sachbearbeitung")
    application = Application.objects.exclude(state="draft").filter(
        office__short_name__icontains="Leipzig"
    ).first() or (Application.objects.exclude(state="draft").first())
    for term in (application.reference, application.title[:12], application.organisation.name[:10]):
        page = client.get("/arbeitsliste/", {"q": term}).content.decode()
        assert application.reference in page, term


def test_the_grant_list_searches_file_number_reference_title_and_carrier(demo_world, client):
    user = _login(client, "sachbearbeitung")
    grant = grants_visible_to(user).select_related("application").order_by("pk").first()
    for term in (
        grant.file_number,
        grant.application.reference,
        grant.title[:12],
        grant.organisation.name[:10],
    ):
        page = client.get("/zuwendungen/", {"q": term}).content.decode()
        assert grant.file_number in page, term
    others = Grant.objects.exclude(pk=grant.pk).values_list("file_number", flat=True)
    rows = "".join(_rows(client.get("/zuwendungen/", {"q": grant.file_number}).content.decode()))
    assert grant.file_number in rows
    assert not [number for number in others if number in rows]


def test_the_drawdown_queue_searches_and_filters_by_status(demo_world, client):
    _login(client, "finanzen")
    drawdown = Drawdown.objects.select_related("grant").filter(state="paid").first()
    rows = _rows(
        client.get("/mittelabrufe/", {"q": drawdown.grant.file_number, "state": "paid"}).content.decode()
    )
    assert rows and all(drawdown.grant.file_number in row for row in rows)
    page = client.get("/mittelabrufe/", {"q": "gibt es nicht"}).content.decode()
    assert _rows(page) == []


def test_a_carrier_never_finds_another_organisations_rows_by_search(demo_world, client):
    carrier = _login(client, "traeger")
    foreign = Application.objects.exclude(organisation__members=carrier).first()
    for term in (foreign.reference, foreign.title, foreign.organisation.name):
        rows = "".join(_rows(client.get("/antraege/", {"q": term}).content.decode()))
        assert foreign.reference not in rows
    foreign_grant = Grant.objects.exclude(organisation__members=carrier).first()
    rows = "".join(_rows(client.get("/zuwendungen/", {"q": foreign_grant.file_number}).content.decode()))
    assert foreign_grant.file_number not in rows


def test_staff_never_find_a_sibling_offices_rows_by_search_or_filter(demo_world, client):
    user = _login(client, "sachbearbeitung_mv")
    outside = (
        Application.objects.exclude(state="draft").exclude(office__path__startswith=_mv_path(user)).first()
    )
    rows = "".join(_rows(client.get("/arbeitsliste/", {"q": outside.reference}).content.decode()))
    assert outside.reference not in rows
    rows = "".join(_rows(client.get("/arbeitsliste/", {"office": outside.office_id}).content.decode()))
    assert outside.reference not in rows


def _mv_path(user: User) -> str:
    return user.office_memberships.select_related("office").first().office.path


def test_paging_keeps_the_sort_order_and_the_filters(demo_world, client):
    _login(client, "sachbearbeitung_bund")
    first = client.get("/arbeitsliste/", {"o": "title"}).content.decode()
    if "page=2" not in first:
        pytest.skip("the demo worklist fits on one page")  # pragma: no cover
    assert "o=title&amp;page=2" in first
    second = client.get("/arbeitsliste/", {"o": "title", "page": 2})
    assert second.status_code == 200
    assert _rows(second.content.decode()) != _rows(first)


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/dokumente/zahllaeufe/", "/dokumente/exporte/"])
def test_the_payment_run_and_export_lists_cost_the_same_queries_for_1_and_20_rows(demo_world, client, url):
    user = _login(client, "finanzen")
    _one_row_of_each_kind_the_demo_lacks(user)
    one = _queries(client, url)
    for n in range(2, 21):
        ExportJob.objects.create(created_by=user, kind=ExportKind.LEDGER, format=ExportFormat.XLSX)
        PaymentRun.objects.create(
            reference=f"ZL-TEST-{n}",
            execution_date=date(2026, 12, 10),
            debtor_name="Kasse",
            debtor_iban="DE02120300000000202051",
            debtor_bic="BYLADEM1001",
            total_amount=Decimal("100.00"),
            payment_count=1,
            file_name="zl.xml",
            created_by=user,
        )
    assert _queries(client, url) == one
