"""The envelope import's template: its columns are the importer's, and the file as downloaded
(XLSX and CSV) passes the import's dry run (issue 11 §4)."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from budgets.resources import EnvelopeResource, normalise_header
from budgets.services.envelope_import import REQUIRED, TEMPLATE, import_envelopes
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, finance_user, membership, office

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    root = office(kind="federal", code="BUND")
    sn = office(parent=root, kind="state", code="SN")
    FundingProgrammeFactory(code="WOS", funding_level="state")
    return root, sn, finance_user(root)


def test_the_template_names_every_column_the_import_reads():
    assert [normalise_header(h) for h in TEMPLATE.headers] == list(EnvelopeResource._meta.fields)
    assert set(REQUIRED) <= {normalise_header(h) for h in TEMPLATE.headers}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_downloaded_template_passes_the_dry_run(client, world, fmt):
    *_offices, by = world
    client.force_login(by)
    page = client.get(reverse("budget_import")).content.decode()
    url = reverse("budget_import_template", args=[fmt])
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="haushaltsansaetze-vorlage.{fmt}"'
    report = import_envelopes(content=response.content, file_name=f"vorlage.{fmt}", by=by, dry_run=True)
    assert [(row.line, row.ok, row.messages) for row in report.rows] == [(2, True, [])]
    assert "0710 684 01" in report.rows[0].summary


def test_the_xlsx_template_keeps_numbers_as_numbers(client, world):
    client.force_login(world[2])
    sheet = openpyxl.load_workbook(
        BytesIO(client.get(reverse("budget_import_template", args=["xlsx"])).content)
    ).active
    rows = list(sheet.values)
    assert list(rows[0]) == list(TEMPLATE.headers)
    assert rows[1][2] == 2027 and rows[1][5] == 250000


def test_only_finance_staff_get_the_template_and_unknown_formats_are_not_found(client, world):
    _root, sn, by = world
    approver = UserFactory()
    membership(approver, sn, "approver")
    client.force_login(approver)
    assert client.get(reverse("budget_import_template", args=["csv"])).status_code == 403
    client.force_login(by)
    assert client.get(reverse("budget_import_template", args=["pdf"])).status_code == 404
