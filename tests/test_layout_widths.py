"""Tables fit (issue 11 §1): at 1280 px no key column (available budget, amounts, row actions)
is cut off, and at 390 px the pages stay usable (no sideways scrolling of the page itself; a
wide table scrolls inside its own ``.table-wrap``).

Every demo role's main list and detail pages are opened in Chromium at both widths. A failing
page leaves a screenshot in ``test-results/`` (gitignored).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests.browser_support import ROOT, ClientBrowser, chromium, needs_chromium  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db, needs_chromium]

WIDE, NARROW = (1280, 900), (390, 844)
RESULTS = ROOT / "test-results"
# One person per kind of role in the demo world.
ROLES = ["traeger", "sachbearbeitung", "bewilligung", "finanzen", "pruefung", "admin"]
# Pages whose tables carry a key last column (amounts, available budget, row actions).
KEY_TABLES = {"budget_dashboard", "worklist", "grant_list", "drawdown_queue", "payment_run_list", "amendment"}
DETAIL_LINK = re.compile(r'href="(/zuwendungen/\d+/)"')
AMENDMENT_LINK = re.compile(r'href="(/zuwendungen/\d+/aenderungen/\d+/)"')

PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The last visible cell of every row of the page's data tables that sticks out of the viewport.
CUT_OFF = """() => {
  const out = [];
  for (const table of document.querySelectorAll('main table.data')) {
    for (const row of table.rows) {
      const cells = Array.from(row.cells).filter(c => c.getBoundingClientRect().width > 0);
      const last = cells[cells.length - 1];
      if (!last) continue;
      const right = last.getBoundingClientRect().right;
      if (right > window.innerWidth + 0.5) {
        out.push((table.id || table.className) + ': "' + last.textContent.trim().slice(0, 30) + '" ends at ' + Math.round(right));
      }
    }
  }
  return out.slice(0, 5);
}"""


def _pages(client) -> dict[str, str]:
    """The role's main list pages it may open, and one grant and one amendment page."""
    pages = {}
    for name in ("home", "worklist", "grant_list", "budget_dashboard", "drawdown_queue", "payment_run_list"):
        url = reverse(name)
        if client.get(url).status_code == 200:
            pages[name] = url
    grants = client.get(reverse("grant_list"))
    if grants.status_code == 200 and (found := DETAIL_LINK.search(grants.content.decode())):
        pages["grant_detail"] = found.group(1)
        amendments = client.get(found.group(1) + "aenderungen/")
        for link in DETAIL_LINK.findall(grants.content.decode()):
            if amendment := AMENDMENT_LINK.search(amendments.content.decode()):
                pages["amendment"] = amendment.group(1)
                break
            amendments = client.get(link + "aenderungen/")
    return pages


def _screenshot(page, username: str, name: str, width: int) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"layout-{username}-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("username", ROLES)
def test_pages_fit_at_1280_and_390_px(chromium, demo_world, client, username):  # noqa: F811
    client.force_login(User.objects.get(username=username))
    pages = _pages(client)
    assert len(pages) >= 2, pages
    problems: list[str] = []
    for width, height in (WIDE, NARROW):
        browser = ClientBrowser(chromium, client, width=width, height=height)
        try:
            for name, url in pages.items():
                page = browser.open(url)
                failed = False
                overflow = page.evaluate(PAGE_OVERFLOW)
                if overflow > 1:
                    problems.append(f"{width} px {url}: the page scrolls sideways by {overflow} px")
                    failed = True
                if width == WIDE[0] and name in KEY_TABLES:
                    for cut in page.evaluate(CUT_OFF):
                        problems.append(f"{width} px {url}: last column cut off: {cut}")
                        failed = True
                if failed:
                    _screenshot(page, username, name, width)
        finally:
            browser.close()
    assert problems == [], "\n".join(problems)


def test_the_check_finds_a_page_that_is_too_wide(chromium, client):  # noqa: F811
    from django.http import HttpResponse

    browser = ClientBrowser(chromium, client, width=390, height=844)
    try:
        html = (
            '<!doctype html><html lang="de"><head><title>x</title></head><body><main>'
            '<table class="data"><tr><td style="min-width:900px">a</td><td>99,00 €</td></tr></table>'
            "</main></body></html>"
        )
        page = browser.open("/too-wide/", HttpResponse(html))
        assert page.evaluate(PAGE_OVERFLOW) > 1
        assert page.evaluate(CUT_OFF)
    finally:
        browser.close()
