"""Every page a demo user can reach by following links answers without a server error.

Starting from each demo user's start page, the walk follows every same-site link (and
redirect) it finds, as a person clicking through would; links of the same shape
(``/zuwendungen/<n>/``) are followed for at most a few objects so the walk stays quick.
"""

from __future__ import annotations

import re
from collections import Counter, deque

import pytest

from accounts.models import User
from demo.people import USERS

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
NOT_FOLLOWED = ("/admin/", "/logout", "/abmelden", "/i18n/", "/static/")
PER_SHAPE = 3


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?")[0]) + ("?" if "?" in url else "")


def _walk(client, start: str = "/") -> tuple[int, list[tuple[str, int, str]]]:
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = deque([start])
    failures: list[tuple[str, int, str]] = []
    while queue:
        url = queue.popleft()
        if url in seen or url.startswith(NOT_FOLLOWED) or shapes[_shape(url)] >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[_shape(url)] += 1
        try:
            response = client.get(url)
        except Exception as error:  # a crash in a view is what this test exists to find
            failures.append((url, 500, repr(error)[:200]))
            continue
        if response.status_code >= 500:
            failures.append((url, response.status_code, ""))
        location = response.get("Location", "")
        if response.status_code in (301, 302) and location.startswith("/"):
            queue.append(location)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            queue.extend(h.replace("&amp;", "&") for h in HREF.findall(response.content.decode()))
    return len(seen), failures


@pytest.mark.parametrize("username", [spec["username"] for spec in USERS])
def test_every_link_a_demo_user_can_reach_answers_without_a_server_error(demo_world, client, username):
    client.force_login(User.objects.get(username=username))
    visited, failures = _walk(client)
    assert visited > 5
    assert failures == []
