"""List pages at 1,000 and at 100,000 rows (issue 14 §2): ``make bench`` runs it after the rollups.

Every list page must cost the same number of queries and the same time at 100,000 rows as at
1,000. The two sizes live side by side in one PostgreSQL database, in the schemas
``lists_small`` (1,000 grants) and ``lists_big`` (100,000 grants), each migrated and filled
once by the generator below (``--regenerate`` rebuilds them); every scenario requests the same
URL through Django's test client as a superuser (who sees every office) against the small and
the big schema turn about (``SET search_path`` on each new connection), and prints
``big / small = ratio`` (target ≤ 1.3). The baseline is thus the same page at 1,000 rows,
measured in the same run. On PostgreSQL the results replace the "List pages" section of
``docs/benchmarks.md`` (``--no-write``: print only), with the command that produced them.

Scenarios per list: the first page, a deep page (the "next" link from page ``n − 2`` of the
big list, i.e. a keyset cursor near the end), the first page in each sort order, and a search.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SCHEMAS = {"small": ("lists_small", 1_000), "big": ("lists_big", 100_000)}
PREFIX = "LB"
BATCH = 5000
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:lists:begin -->", "<!-- bench:lists:end -->"
TARGET = 1.3
_schema = {"name": ""}


def _search_path(sender, connection, **kwargs) -> None:
    if _schema["name"] and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {_schema['name']}, public")


connection_created.connect(_search_path)


def use(schema: str) -> None:
    """Point the connection (and every later one: requests close it) at ``schema``."""
    _schema["name"] = schema
    if connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {schema}, public")


# --- data ------------------------------------------------------------------------------------


def generate(grants: int, seed: int = 14) -> float:
    """Offices (1 + 16 + 160), 4 programmes, 5,000 carriers, ``grants`` submitted applications
    with their grant and one drawdown each (a third requested, a third certified, a third paid)."""
    from accounts.models import User
    from budgets.models import CoordinatingOffice, FundingProgramme
    from grants.awards.payments.models import Drawdown
    from grants.models import Application, Grant, Organisation

    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        actor, _ = User.objects.get_or_create(username="lists-bench", defaults={"first_name": "Bench"})
        root = CoordinatingOffice.objects.add_root(
            create_kwargs={"name": "Listen-Bench Bund", "short_name": PREFIX, "code": PREFIX, "kind": "federal", "state": "NW"}
        )  # fmt: skip
        path = CoordinatingOffice._get_path
        states = [
            "BW",
            "BY",
            "BE",
            "BB",
            "HB",
            "HH",
            "HE",
            "MV",
            "NI",
            "NW",
            "RP",
            "SL",
            "SN",
            "ST",
            "SH",
            "TH",
        ]
        rows = []
        for s, code in enumerate(states, start=1):
            state_path = path(root.path, 2, s)
            rows.append(CoordinatingOffice(path=state_path, depth=2, numchild=10, name=f"Landesstelle {code}",
                                           short_name=f"LB-{code}", code=f"{PREFIX}{code}", kind="state", state=code))  # fmt: skip
            for i in range(1, 11):
                rows.append(CoordinatingOffice(path=path(state_path, 3, i), depth=3, numchild=0,
                                               name=f"Partnerschaft für Demokratie {code}-{i:02d}", short_name=f"PfD {code}{i:02d}",
                                               code=f"{PREFIX}{code}{i:02d}", kind="local", state=code))  # fmt: skip
        CoordinatingOffice.objects.bulk_create(rows)
        CoordinatingOffice.objects.filter(pk=root.pk).update(numchild=len(states))
        locals_ = list(CoordinatingOffice.objects.filter(depth=3))
        programmes = FundingProgramme.objects.bulk_create(
            FundingProgramme(name=f"Bench {name}", code=f"{PREFIX}-{code}", family=family, funding_level="federal",
                             period_start=date(2025, 1, 1), period_end=date(2032, 12, 31))
            for name, code, family in [("Demokratie leben!", "DL", "demokratie_leben"), ("Zusammenhalt durch Teilhabe", "ZT", "zusammenhalt"),
                                       ("Weltoffenes Land", "WL", "state"), ("Kommunalfonds Vielfalt", "KF", "state")]
        )  # fmt: skip
        carriers = Organisation.objects.bulk_create(
            Organisation(name=f"Träger {n:05d} für Demokratie und Vielfalt e.V.", legal_form="ev", street="Hauptstraße 1",
                         postcode="01067", city="Dresden", state="SN", contact_person="Erika Mustermann", email=f"lb{n}@example.org")
            for n in range(5000)
        )  # fmt: skip
    words = [
        "Demokratiewerkstatt",
        "Jugendforum",
        "Stadtteilgespräch",
        "Medienlabor",
        "Erinnerungsort",
        "Streitkultur",
    ]
    now = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for start in range(0, grants, BATCH):
        with transaction.atomic():
            batch = range(start, min(start + BATCH, grants))
            picks = [(rng.choice(locals_), rng.choice(programmes), rng.choice(carriers)) for _ in batch]
            years = [rng.choice((2025, 2026, 2027)) for _ in batch]
            applications = Application.objects.bulk_create(
                Application(reference=f"{PREFIX}-A-{n:06d}", organisation=carrier, programme=programme, office=office,
                            title=f"{rng.choice(words)} Nr. {n} – Beteiligung und Medienkompetenz",
                            start_date=date(year, 1, 1), end_date=date(year, 12, 31),
                            state=rng.choice(("submitted", "formal_check", "approved")), created_by=actor,
                            submitted_at=now - timedelta(minutes=rng.randrange(0, 500_000)))
                for n, (office, programme, carrier), year in zip(batch, picks, years, strict=True)
            )  # fmt: skip
            made = Grant.objects.bulk_create(
                Grant(application=application, file_number=f"{PREFIX}-{office.code}-{programme.code[3:]}-{year}-{n:06d}",
                      organisation=carrier, programme=programme, office=office, title=application.title, purpose="Workshops",
                      period_start=date(year, 1, 1), period_end=date(year, 12, 31), financing_type="deficit",
                      granted_amount=Decimal(rng.randrange(50_000, 14_000_000)) / 100, planned_expenditure=Decimal("150000.00"),
                      drawdown_window_value=6, drawdown_window_unit="weeks", overrun_tolerance=Decimal("0.20"),
                      notice_receipt_days=4, interim_report_months=4, final_report_months=6, payout_requires_final_notice=False,
                      interest_margin_points=Decimal("5"), late_use_interest_from_window_end=False,
                      confidential_individual_support=False, state=rng.choice(("final", "running", "proof_due")),
                      approved_by=actor, approved_at=application.submitted_at + timedelta(days=rng.randrange(10, 90)))
                for n, application, (office, programme, carrier), year in zip(batch, applications, picks, years, strict=True)
            )  # fmt: skip
            drawdowns = []
            for grant in made:
                state = rng.choice(("requested", "certified", "paid"))
                needed = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 330))
                drawdowns.append(Drawdown(grant=grant, budget_year=needed.year, amount=Decimal(rng.randrange(10_000, 2_000_000)) / 100,
                                          needed_on=needed, purpose="Honorare und Sachkosten", requested_by=actor, state=state,
                                          paid_on=needed if state == "paid" else None,
                                          used_on=needed + timedelta(days=rng.choice((0, 20, 80))) if state == "paid" else None))  # fmt: skip
            Drawdown.objects.bulk_create(drawdowns)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def prepare(regenerate: bool) -> dict[str, str]:
    """Create, migrate and fill both schemas (once); their sizes as text."""
    from grants.models import Grant

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    sizes = {}
    for label, (schema, grants) in SCHEMAS.items():
        with connection.cursor() as cursor:
            if regenerate:
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        use(schema)
        call_command("migrate", verbosity=0)
        if Grant.objects.count() != grants:
            with connection.cursor() as cursor:  # a half-built schema: start again
                cursor.execute(f"DROP SCHEMA {schema} CASCADE")
                cursor.execute(f"CREATE SCHEMA {schema}")
            use(schema)
            call_command("migrate", verbosity=0)
            print(f"generating {schema} ({grants:,} grants) …", flush=True)
            seconds = generate(grants)
            print(f"  generated in {seconds:.0f} s")
        sizes[label] = f"{grants:,} grants, applications and drawdowns"
    return sizes


# --- scenarios -------------------------------------------------------------------------------

LISTS = {
    # name: (url, sort keys, search term)
    "worklist": ("/arbeitsliste/", ["reference", "title", "carrier", "office", "programme", "state", "submitted", "amount"], "Nr. 4711 "),
    "grants": ("/zuwendungen/", ["file_number", "title", "office", "programme", "period", "state", "amount", "approved"], "Nr. 4711 "),
    "drawdown queue": ("/mittelabrufe/", ["file_number", "recipient", "purpose", "needed", "state", "amount"], "LB-LBSN01"),
}  # fmt: skip


def client() -> Client:
    from accounts.models import User

    user, _created = User.objects.get_or_create(
        username="lists-bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    c = Client()
    c.force_login(user)
    return c


def fetch(c: Client, url: str) -> tuple[float, int, str]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = c.get(url, HTTP_ACCEPT_LANGUAGE="de")
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries), response.content.decode()


def deep_url(c: Client, url: str, rows: int) -> str:
    """The "next" link of page n − 2 (reached once by OFFSET, untimed): a cursor near the end."""
    last = max(1, -(-rows // 25) - 2)
    _ms, _q, body = fetch(c, f"{url}?page={last}")
    found = re.search(r'href="([^"]+)" rel="next"', body)
    return url + html.unescape(found.group(1)) if found else url


def scenarios(c_small: Client, c_big: Client) -> list[tuple[str, str, str, str]]:
    """(list, scenario, small url, big url)."""
    out = []
    for name, (url, keys, term) in LISTS.items():
        out.append((name, "first page", url, url))
        use(SCHEMAS["small"][0])
        small_deep = deep_url(c_small, url, SCHEMAS["small"][1])
        use(SCHEMAS["big"][0])
        big_deep = deep_url(c_big, url, SCHEMAS["big"][1])
        out.append((name, "deep page (cursor)", small_deep, big_deep))
        for key in keys:
            for sign in ("", "-"):
                out.append((name, f"sorted by {sign}{key}", f"{url}?o={sign}{key}", f"{url}?o={sign}{key}"))
        q = f"{url}?q={term.strip().replace(' ', '+')}"
        out.append((name, f"search “{term.strip()}”", q, q))
    return out


def run(repeat: int, only: str = "") -> list[tuple[str, str, float, float, int, int]]:
    clients = {}
    for label, (schema, _n) in SCHEMAS.items():
        use(schema)
        clients[label] = client()
    results = []
    for name, scenario, small_url, big_url in scenarios(clients["small"], clients["big"]):
        if only and only not in name:
            continue
        small_ms, big_ms = [], []
        queries = {}
        for i in range(repeat + 1):  # the first round warms up
            for label, url, times in (("small", small_url, small_ms), ("big", big_url, big_ms)):
                use(SCHEMAS[label][0])
                ms, count, _body = fetch(clients[label], url)
                queries[label] = count
                if i:
                    times.append(ms)
        s, b = statistics.median(small_ms), statistics.median(big_ms)
        mark = "" if b / s <= TARGET and queries["big"] == queries["small"] else "  ← MISSED"
        print(
            f"{name:15} {scenario:28} {b:8.1f} / {s:8.1f} ms = {b / s:5.2f}  queries {queries['big']}/{queries['small']}{mark}",
            flush=True,
        )
        results.append((name, scenario, b, s, queries["big"], queries["small"]))
    return results


def command(argv: list[str] | None) -> str:
    url = re.sub(r"//([^:@/]+):[^@/]+@", r"//\1:***@", os.environ.get("DATABASE_URL", ""))
    if argv is None:  # run on its own
        args = " ".join(sys.argv[1:])
        return (
            f"DJANGO_ENV=development DATABASE_URL={url} .venv/bin/python benchmarks/lists.py {args}".rstrip()
        )
    return f"make bench BENCH_DATABASE_URL={url}   # runs benchmarks/lists.py after the rollups"


def write_docs(text: str) -> None:
    docs = DOCS.read_text()
    if BEGIN in docs:
        head, rest = docs.split(BEGIN, 1)
        docs = head + BEGIN + "\n" + text + END + rest.split(END, 1)[1]
    else:
        docs = docs.replace("## Results\n", f"## Results\n\n{BEGIN}\n{text}{END}\n", 1)
    DOCS.write_text(docs)
    print(f"\nwritten to {DOCS.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--only", default="", help="lists whose name contains this")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("benchmarks/lists.py needs PostgreSQL (BENCH_DATABASE_URL): skipped")
        return
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    sizes = prepare(args.regenerate)
    print(f"\n{'list':15} {'scenario':28} {'100,000':>8}   {'1,000':>8}      ratio")
    results = run(args.repeat, args.only)
    missed = [r for r in results if r[2] / r[3] > TARGET or r[4] != r[5]]
    print(
        f"\ntarget: big / small ≤ {TARGET} and the same queries: {len(results) - len(missed)} of {len(results)} met"
    )
    if args.no_write or args.only:
        return
    from benchmarks.run import commit, machine, server

    now = datetime.now(UTC)
    table = [
        "| list | scenario | 100,000 rows ms | 1,000 rows ms | ratio | queries (big/small) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    table += [f"| {n} | {s} | {b:.1f} | {sm:.1f} | {b / sm:.2f}{'' if b / sm <= TARGET and qb == qs else ' ✗'} | {qb}/{qs} |"
              for n, s, b, sm, qb, qs in results]  # fmt: skip
    write_docs(f"""## List pages at 1,000 and 100,000 rows (`benchmarks/lists.py`, issue 14 §2)

Written by `make bench` on {now:%Y-%m-%d %H:%M} UTC, commit {commit()}; machine: {machine()};
{server()}; load average {os.getloadavg()[0]:.1f} at the end.

```sh
createdb -h 127.0.0.1 -U postgres bench_lists   # once: a database of its own
{command(argv)}
```

Each scenario GETs the same page as a superuser through Django's test client, rendered
template included, against two schemas of the same database turn about: `lists_big`
({sizes["big"]}) and `lists_small` ({sizes["small"]}); median of {args.repeat} after one warm-up.
Ours is the page at 100,000 rows, the baseline the same page at 1,000 rows; target ratio ≤ {TARGET}
and the same number of queries (✗: missed). The deep page is the "next" link (a keyset cursor)
from page n − 2. Sorting by a joined name (carrier, office, programme, recipient) and the
worklist's requested grant (a sum over the financing plan per row) have no index to walk yet;
the machine is shared, so single ratios of fast pages move by ±0.3 between runs.

{chr(10).join(table)}

**{len(results) - len(missed)} of {len(results)} scenarios met the target.**

""")


if __name__ == "__main__":
    main()
