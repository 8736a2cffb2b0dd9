"""Every distinct page of every demo role passes axe-core's WCAG 2.1 A/AA rules (BITV 2.0).

Each demo user's pages are found the way ``test_link_walk`` finds them (every same-site link
from the start page, one page per URL shape), then opened in Debian's Chromium through
:mod:`tests.browser_support`, so they run their own CSS and JavaScript with the demo data.
axe-core comes from npm (``package.json``; ``make install`` runs ``npm ci``).
"""

from __future__ import annotations

import json
import re
from collections import deque

import pytest

from accounts.models import User
from demo.people import USERS
from tests.browser_support import ROOT, ClientBrowser, chromium, needs_chromium  # noqa: F401

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HREF = re.compile(r'href="(/[^"#]*)"')
CONTROL = re.compile(r'<(\w+)\b[^>]*?\b(?:id|name)="([^"]*)"')
NOT_FOLLOWED = ("/admin/", "/logout", "/abmelden", "/i18n/", "/static/", "/api/")
# What BITV 2.0 asks for: WCAG 2.1 level A and AA (EN 301 549 chapter 9).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# (URL shape, named elements) already checked by an earlier role in this module: the same page
# with the same controls is the same markup for axe, whoever looks at it.
CHECKED: set[tuple[str, frozenset[tuple[str, str]]]] = set()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    needs_chromium,
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core from npm: run `make install` (npm ci)"),
]


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?")[0]) + ("?" if "?" in url else "")


def distinct_pages(client, start: str = "/") -> list[str]:
    """One URL per shape of every HTML page reachable by following links from ``start``."""
    seen: set[str] = set()
    shapes: set[str] = set()
    pages: list[str] = []
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen or url.startswith(NOT_FOLLOWED) or _shape(url) in shapes:
            continue
        seen.add(url)
        response = client.get(url)
        location = response.get("Location", "")
        if response.status_code in (301, 302) and location.startswith("/"):
            queue.append(location)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        shapes.add(_shape(url))
        pages.append(url)
        queue.extend(h.replace("&amp;", "&") for h in HREF.findall(response.content.decode()))
    return pages


def skeleton(url: str, html: str) -> tuple[str, frozenset[tuple[str, str]]]:
    """What makes two pages the same for axe: their shape and their named elements."""
    controls = frozenset((tag, re.sub(r"\d+", "N", name)) for tag, name in CONTROL.findall(html))
    return _shape(url), controls


def axe_violations(page) -> list[dict]:
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return result["violations"]


# Enter in a field presses its form's first submit button: that must never remove or delete.
RISKY_DEFAULT_BUTTONS = """() => Array.from(document.forms)
  .filter(form => form.querySelector('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea'))
  .map(form => form.querySelector('button:not([type]), button[type=submit], input[type=submit]'))
  .filter(button => button && /remove|delete|entfern|lösch|loesch/i.test(
    [button.name, button.value, button.getAttribute('aria-label') || ''].join(' ')))
  .map(button => (button.form.id || button.form.getAttribute('action')) + ' → ' + button.name)"""


def _describe(url: str, violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{url}: {violation['id']} ({violation['impact']}) {violation['help']} — {targets}"


@pytest.mark.parametrize("username", [spec["username"] for spec in USERS])
def test_every_page_of_a_demo_role_passes_axe(chromium, demo_world, client, username):  # noqa: F811
    client.force_login(User.objects.get(username=username))
    pages = distinct_pages(client)
    assert len(pages) > 3
    browser = ClientBrowser(chromium, client, init_script=AXE)
    problems: list[str] = []
    try:
        for url in pages:
            response = client.get(url)
            key = skeleton(url, response.content.decode())
            if key in CHECKED:
                continue
            CHECKED.add(key)
            page = browser.open(url, response)
            problems.extend(_describe(url, v) for v in axe_violations(page))
            problems.extend(
                f"{url}: Enter in the form presses a removing button: {button}"
                for button in page.evaluate(RISKY_DEFAULT_BUTTONS)
            )
    finally:
        browser.close()
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)


def test_axe_finds_a_violation_where_there_is_one(chromium, client):  # noqa: F811
    # The check itself must not pass vacuously: an unlabelled field on a served page is found.
    from django.http import HttpResponse

    browser = ClientBrowser(chromium, client, init_script=AXE)
    try:
        page = browser.open(
            "/probe/",
            HttpResponse(
                '<!DOCTYPE html><html lang="de"><title>t</title><main><input type="text"></main></html>'
            ),
        )
        assert "label" in {v["id"] for v in axe_violations(page)}
    finally:
        browser.close()
