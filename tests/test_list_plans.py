"""The plans of the main list queries on PostgreSQL (issue 14 §2): a page is an index range.

With sequential scans priced out (``enable_seqscan = off``, so the few rows of a test database
do not decide the plan), every query a list page runs for its rows, in its default order, in
the orders its indexes serve and on a deep page (a keyset cursor), reads the big tables through
an index and never sorts them whole: no ``Seq Scan`` on applications, grants or drawdowns, and
no full ``Sort`` under the ``LIMIT``.
"""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.budgets.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG_TABLES = ("grants_application", "grants_grant", "grants_drawdown")

PAGES = {
    # url: (the list's table, the sort orders an index serves besides the default)
    "/arbeitsliste/": (
        "grants_application",
        ["submitted", "-submitted", "title", "-title", "state", "reference"],
    ),
    "/zuwendungen/": (
        "grants_grant",
        ["approved", "-approved", "title", "state", "amount", "-amount", "period"],
    ),
    "/mittelabrufe/": ("grants_drawdown", ["needed", "-needed", "state", "amount", "purpose"]),
}


def _plans(client, url: str) -> list[tuple[str, str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or not any(f'"{t}"' in sql for t in BIG_TABLES):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def _next(client, url: str) -> str | None:
    found = re.search(r'href="([^"]+)" rel="next"', client.get(url).content.decode())
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def plan_world(db):
    # The benchmark's own generator (benchmarks/lists.py): offices, carriers, submitted
    # applications with their grant and one drawdown each; enough rows for a second page.
    from benchmarks.lists import generate

    generate(60)


def test_the_list_pages_read_the_big_tables_through_indexes_in_every_indexed_order(client, plan_world):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    bad = []
    for base, (table, orders) in PAGES.items():
        urls = [base] + [f"{base}?o={o}" for o in orders]
        deep = _next(client, f"{base}?o={orders[0]}")
        assert deep, f"{base} has a second page"
        urls.append(base + deep)
        for url in urls:
            checked = 0
            for sql, plan in _plans(client, url):
                # The list's rows: ordered with the primary key last (the capped count and the
                # deadline panels are other queries).
                if not re.search(
                    rf'FROM "{table}".*"{table}"\."id" (ASC|DESC)( NULLS (FIRST|LAST))?\s+LIMIT',
                    sql,
                    flags=re.S,
                ):
                    continue
                checked += 1
                for big in BIG_TABLES:
                    if f"Seq Scan on {big}" in plan:
                        bad.append((url, f"Seq Scan on {big}", plan))
                # A full sort node (not "Sort Key"); after a cursor near the end of these few rows
                # the planner may sort what is left, which is fewer than a page.
                if "after=" not in url and re.search(r"^\s*(->\s*)?Sort\s+\(", plan, flags=re.M):
                    bad.append((url, "Sort", plan))
            assert checked == 1, f"{url}: one query reads the list's rows ({checked} found)"
    assert not bad, "\n\n".join(f"{url}: {why}\n{plan}" for url, why, plan in bad)
