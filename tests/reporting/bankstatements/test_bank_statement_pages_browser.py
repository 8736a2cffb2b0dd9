"""The bank-statement pages in Chromium: axe-core's WCAG 2.1 A/AA rules (BITV 2.0) pass on the
list, a statement with every kind of line, the open lines and the run with a returned transfer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting.bankstatements.models import BankStatement
from tests.browser_support import ClientBrowser, chromium, needs_chromium  # noqa: F401 (fixture)
from tests.grants.test_services_reclaim import world as world
from tests.reporting.bankstatements.test_bank_statements import books as books
from tests.reporting.bankstatements.test_bank_statements import clock as clock
from tests.reporting.bankstatements.test_bank_statements import upload, v02
from tests.test_accessibility import AXE, _describe, axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    needs_chromium,
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core from npm: run `make install` (npm ci)"),
]


def test_the_bank_statement_pages_pass_axe(chromium, client, world, books, tmp_path):  # noqa: F811
    upload(client, world["finance"], v02(books))
    statement = BankStatement.objects.get()
    urls = [
        reverse("bank_statement_list"),
        reverse("bank_statement_detail", args=[statement.pk]),
        reverse("statement_open_lines"),
        reverse("payment_run_detail", args=[books["run"].pk]),
    ]
    browser = ClientBrowser(chromium, client)
    problems = []
    try:
        for number, url in enumerate(urls):
            page = browser.open(url)
            page.add_script_tag(path=str(AXE))
            problems.extend(_describe(url, v) for v in axe_violations(page))
            page.screenshot(path=str(tmp_path / f"page-{number}.png"), full_page=True)
    finally:
        browser.close()
    assert problems == []
