"""A form sent twice does the work once (issue 12, part 4; ``core.idempotency``).

Found by trying: a double-submitted reclaim decision created two reclaims and two decisions,
a double drawdown request two requests. Every POST form carries a one-time key (rendered by
``{% csrf_token %}``); the first POST with it does the work, a replay is sent where the first
went and writes nothing.

- Every URL of the application is classified here: the views that create rows, each with a
  scenario that sends its form twice (the second time with the same key) and compares every
  table's row count; and the rest. A new view fails ``test_every_view_is_classified`` until it
  is put in one list or the other.
- ``test_a_replayed_key_reaches_no_view`` replays a finished form to every POST route at all.
- ``test_every_post_form_carries_a_one_time_key`` reads the forms of the pages people use.
"""

# ruff: noqa: F811  (the imported fixture ``world`` is every scenario's first argument)

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.idempotency import FIELD
from core.models import IdempotencyKey
from grants.awards.models import Grant, Reclaim
from grants.awards.payments.models import Drawdown
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_order, drawdown_request
from grants.awards.services.reclaim import drawdown_record_use
from tests.budgets.factories import FundingProgrammeFactory, finance_user, office
from tests.grants.test_services_reclaim import build_grant, decide, pay, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# Bookkeeping of requests, not work: sessions, the keys themselves, login throttling, the
# security log (it records the replay as a request like any other).
NOT_WORK = {"sessions.Session", "core.IdempotencyKey"}
NOT_WORK_APPS = {"axes", "otp_totp", "otp_static"}


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label not in NOT_WORK
        and model._meta.app_label not in NOT_WORK_APPS
        and model._meta.model_name != "securityevent"
        and not model._meta.proxy
    }


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {label: (before[label], after[label]) for label in before if before[label] != after[label]}


@dataclass
class Form:
    user: Any
    url: str
    data: Callable[[], dict[str, Any]]  # fresh each time (an uploaded file is read once)


def send_twice(client, form: Form) -> tuple[dict[str, tuple[int, int]], Any, Any]:
    client.force_login(form.user)
    key = secrets.token_hex(16)
    before = counts()
    first = client.post(form.url, {**form.data(), FIELD: key})
    after_first = counts()
    second = client.post(form.url, {**form.data(), FIELD: key})
    assert changed(after_first, counts()) == {}, form.url  # the replay wrote nothing
    return changed(before, after_first), first, second


# --- the world the scenarios act in -------------------------------------------------------------


@pytest.fixture
def current(world):
    """A grant of this year, approved, nothing paid yet; ``current.carrier`` applied for it."""
    grant = build_grant(world, instalments={timezone.localdate().year: "9000.00"})
    grant.carrier = world["carrier"]
    return grant


@pytest.fixture
def paid(world, current):
    """A 2024/2025 grant with 5,000.00 paid on 01.10.2024 (its approval period starts 2024)."""
    grant = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    # Its receipts of 2024 count although the notice is dated today: an early start from the
    # period's first day was permitted (DOMAIN.md §9).
    Grant.objects.filter(pk=grant.pk).update(early_start_from=grant.period_start)
    grant.refresh_from_db()
    grant.carrier = world["carrier"]
    pay(grant, world, "5000.00", date(2024, 10, 1))
    return grant


def scenario_drawdown_request(world, current, paid):
    today = timezone.localdate().isoformat()
    return Form(
        current.carrier,
        reverse("drawdown_request", args=[current.pk]),
        lambda: {"amount": "1.000,00", "needed_on": today, "purpose": "Honorare"},
    )


def scenario_reclaim_decide(world, current, paid):
    return Form(
        world["officer"],
        reverse("reclaim_decide", args=[paid.pk]),
        lambda: {
            "kind": "settlement",
            "principal": "2.500,00",
            "decided_on": "2024-11-15",
            "interest_from": "",
            "reasons": "Minderausgaben",
        },
    )


def scenario_repayment_book(world, current, paid):
    reclaim = decide(paid, world)
    return Form(
        world["finance"],
        reverse("repayment_book", args=[paid.pk, reclaim.pk]),
        lambda: {"amount": "100,00", "received_on": "2025-01-15"},
    )


def scenario_late_use_claim(world, current, paid):
    drawdown = Drawdown.objects.filter(grant=paid).get()
    drawdown_record_use(drawdown=drawdown, used_on=date(2025, 1, 15), by=paid.carrier)
    return Form(
        world["officer"],
        reverse("late_use_claim", args=[paid.pk, drawdown.pk]),
        lambda: {"decided_on": "2025-02-01", "reasons": ""},
    )


def scenario_grant_revoke(world, current, paid):
    return Form(
        world["approver"],
        reverse("grant_revoke", args=[paid.pk]),
        lambda: {
            "scope": "partial",
            "amount": "1.000,00",
            "revoked_on": "2025-03-01",
            "interest_from": "",
            "reasons": "Zweck teilweise verfehlt.",
            "confirmed": "1",
        },
    )


def scenario_receipt_add(world, current, paid):
    proof = paid.proofs.get(kind="final")
    line = proof.plan.lines.filter(side="expenditure").first()
    return Form(
        paid.carrier,
        reverse("receipt_add", args=[paid.pk, proof.pk]),
        lambda: {
            "number": "R-1",
            "paid_on": "2024-11-01",
            "counterparty": "Druckerei",
            "reason": "Flyer",
            "amount": "10,00",
            "plan_line": line.pk,
        },
    )


def scenario_receipt_import_confirm(world, current, paid, client):
    proof = paid.proofs.get(kind="final")
    content = "Belegnummer;Datum;Zahlungsempfänger/Einzahler;Zahlungsgrund;Betrag;Planposition\nR-9;01.11.2024;Hotel;Übernachtung;100,00;1"
    client.force_login(paid.carrier)
    client.post(
        reverse("receipt_import", args=[paid.pk, proof.pk]),
        {"file": SimpleUploadedFile("belege.csv", content.encode(), content_type="text/csv")},
    )
    return Form(paid.carrier, reverse("receipt_import_confirm", args=[paid.pk, proof.pk]), dict)


def scenario_application_create(world, current, paid):
    return Form(
        current.carrier,
        reverse("application_create"),
        lambda: {
            "programme": current.programme_id,
            "office": world["sn"].pk,
            "title": "Neues Projekt",
            "start_date": "2027-02-01",
            "end_date": "2027-11-30",
            "financing_type": "share",
        },
    )


def scenario_attachment_upload(world, current, paid):
    from tests.grants.factories import ApplicationFactory

    application = ApplicationFactory(
        office=world["sn"], organisation=current.organisation, created_by=current.carrier
    )
    return Form(
        current.carrier,
        reverse("attachment_upload", args=[application.pk]),
        lambda: {
            "kind": "other",
            "file": SimpleUploadedFile("anlage.pdf", b"%PDF-1.4 anlage", "application/pdf"),
        },
    )


def scenario_message_send(world, current, paid):
    # A message with a file: one message and one stored attachment, however often it is sent.
    return Form(
        current.carrier,
        reverse("message_send", args=[current.application_id]),
        lambda: {
            "body": "Anbei die Rechnung.",
            "files": SimpleUploadedFile("rechnung.pdf", b"%PDF-1.4 rechnung", "application/pdf"),
        },
    )


def scenario_payment_run_list(world, current, paid):
    d = drawdown_request(
        grant=current,
        by=current.carrier,
        amount=Decimal("500.00"),
        needed_on=timezone.localdate(),
        purpose="Honorare",
        today=timezone.localdate(),
    )
    d = drawdown_order(drawdown=drawdown_certify(drawdown=d, by=world["officer"]), by=world["finance"])
    return Form(
        world["finance"],
        reverse("payment_run_list"),
        lambda: {"drawdowns": [d.pk], "execution_date": timezone.localdate().isoformat()},
    )


def scenario_export_start(world, current, paid):
    return Form(world["finance"], reverse("export_start"), lambda: {"kind": "grants", "format": "csv"})


def scenario_budget_import(world, current, paid, client):
    root = office(kind="federal", code="BUND")
    office(parent=root, kind="state", code="SNX")
    FundingProgrammeFactory(code="WOSX", funding_level="state")
    by = finance_user(root)
    content = (
        "Stelle;Programm;Haushaltsjahr;Mittelherkunft;Haushaltstitel;Ansatz\nSNX;WOSX;2027;Land;T;1.000,00"
    )
    client.force_login(by)
    page = client.post(
        reverse("budget_import"), {"file": SimpleUploadedFile("ansatz.csv", content.encode(), "text/csv")}
    ).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    return Form(by, reverse("budget_import"), lambda: {"action": "confirm", "digest": digest})


def scenario_bank_statement_import(world, current, paid):
    # The fixture statement as it is: valid camt.053, its lines match nothing and are listed.
    path = settings.BASE_DIR / "tests" / "reporting" / "bankstatements" / "statement_v02.xml"
    return Form(
        world["finance"],
        reverse("bank_statement_list"),
        lambda: {"file": SimpleUploadedFile("auszug.xml", path.read_bytes(), "application/xml")},
    )


def scenario_calendar_feed_token(world, current, paid):
    return Form(world["officer"], reverse("calendar_feed_token"), lambda: {"action": "issue"})


# url name → the scenario that sends its form (a view that creates rows).
CREATING: dict[str, Callable[..., Form]] = {
    "drawdown_request": scenario_drawdown_request,
    "reclaim_decide": scenario_reclaim_decide,
    "repayment_book": scenario_repayment_book,
    "late_use_claim": scenario_late_use_claim,
    "grant_revoke": scenario_grant_revoke,
    "receipt_add": scenario_receipt_add,
    "receipt_import_confirm": scenario_receipt_import_confirm,
    "application_create": scenario_application_create,
    "attachment_upload": scenario_attachment_upload,
    "message_send": scenario_message_send,
    "payment_run_list": scenario_payment_run_list,
    "export_start": scenario_export_start,
    "budget_import": scenario_budget_import,
    "bank_statement_list": scenario_bank_statement_import,
    "calendar_feed_token": scenario_calendar_feed_token,
}

# Views that create rows but are replayed only through the route test below (their scenario
# needs a committee session, a second factor, a webhook endpoint or a fund of a chain).
CREATING_WITHOUT_SCENARIO = {
    "api_tokens",
    "budget_import_job",
    "budget_report_create",
    "fund_open",
    "legal_hold_place",
    "microproject_apply",
    "my_vote_cast",
    "organisation_bank",
    "receipt_import_job",
    "session_create",
    "session_item_add",
    "session_recusal_add",
    "session_vote_add",
    "two_factor_recovery_codes",
    "two_factor_setup",
    "webhook_delivery_replay",
    "webhook_office",
    "webhook_organisation",
    "amendment_new",
    "proof_step",
    "application_transition",
    "application_approve",
    "drawdown_step",
    "payment_run_execute",
    "session_close",
    "session_open",
    # In-depth checks: a second selection and a second review note are refused by their services.
    "in_depth_selections",
    "review_note",
    # Bank statements: assigning books a repayment once; the line is then handled (refused again).
    "statement_line_assign",
    # Early start: a second request is refused while the first waits or was granted.
    "early_start_ask",
    # Individual help: an auditor's sample of case pseudonyms (one per sent form).
    "case_sample",
}

# Views that read, or change or delete what exists (their history rows included): a replay of
# theirs is caught by the same key (the route test), and their services refuse a second step.
OTHERS = {
    # Help, accounts and reading pages; the accessibility feedback and the password reset send
    # an e-mail and write no row; a reset link sets the password once (its token then fails).
    "accessibility",
    "glossary",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "budget_import_template",
    "receipt_import_template",
    "amendment_preview",
    "deadlines",
    "inbox",
    # The inbox: an assignment replaces the task's one assignment (a replay sets the same); a
    # bulk step runs each item's service, which refuses a second certification or order.
    "inbox_assign",
    "inbox_bulk",
    "deadline_calendar",
    "calendar_feed",
    "account",
    "bank_statement_detail",
    "statement_line_dismiss",
    "statement_open_lines",
    "amendment_detail",
    "amendment_edit",
    "amendment_step",
    "api_token_revoke",
    "application_detail",
    "application_edit",
    "application_list",
    "attachment_delete",
    "attachment_download",
    "bank_details_change_confirm",
    "bank_details_change_reject",
    "bank_details_change_withdraw",
    "bank_details_changes",
    "budget_chart",
    "budget_dashboard",
    "budget_report_list",
    "case_file_download",
    "case_file",
    "grant_case_file",
    "message_attachment_download",
    "proof_pdf",
    "submitted_application_pdf",
    "case_records",
    "committee_detail",
    "committee_list",
    "committee_minutes",
    "document_download",
    "drawdown_queue",
    "early_start_decide",
    "individual_help",
    "export_job",
    "export_job_download",
    "export_job_progress",
    "fund_detail",
    "fund_list",
    "fund_rules",
    "grant_amendments",
    "grant_detail",
    "grant_drawdowns",
    "grant_funds",
    "grant_list",
    "grant_notice_post",
    "grant_objection_conclude",
    "grant_objection_record",
    "grant_objection_waive",
    "grant_of_application",
    "grant_proofs",
    "grant_reclaims",
    "health",
    "in_depth_selection",
    "home",
    "interest_waive",
    "legal_hold_lift",
    "login",
    "logout",
    "my_votes",
    "opendata",
    "opendata_360giving",
    "organisation_list",
    "passed_on_fund",
    "passed_on_office",
    "passed_on_overview",
    "password_change",
    "password_change_done",
    "payment_run_cancel",
    "payment_run_detail",
    "payment_run_download",
    "plan_preview",
    "proof_annex_download",
    "proof_detail",
    "proof_narrative",
    "proof_narrative_file",
    "proof_statement",
    "receipt_admit",
    "receipt_delete",
    "receipt_edit",
    "receipt_import",
    "reclaim_detail",
    "retention_log",
    "security_log",
    "session_detail",
    "session_item_remove",
    "set_language",
    "settlement_detail",
    "two_factor_disable",
    "two_factor_verify",
    "webhook_endpoint",
    "webhook_endpoint_deactivate",
    "webhook_index",
    "worklist",
}


def url_names() -> set[str]:
    def walk(resolver: URLResolver, prefix: str = ""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, route)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield route, pattern.name

    return {name for route, name in walk(get_resolver()) if not route.startswith(("admin/", "api/"))}


def test_every_view_is_classified():
    """A new view goes into CREATING (with a scenario), CREATING_WITHOUT_SCENARIO or OTHERS."""
    lists = [set(CREATING), CREATING_WITHOUT_SCENARIO, OTHERS]
    assert url_names() == set().union(*lists)
    assert sum(len(names) for names in lists) == len(url_names())  # each in one list only


@pytest.mark.parametrize("name", sorted(CREATING))
def test_a_replayed_form_writes_nothing(name, client, world, current, paid, settings):
    settings.LANGUAGE_CODE = "en"
    scenario = CREATING[name]
    form = (
        scenario(world, current, paid, client)
        if "client" in scenario.__code__.co_varnames
        else scenario(world, current, paid)
    )
    created, first, second = send_twice(client, form)
    assert first.status_code == 302, (name, first.content.decode()[:2000])
    assert created, f"{name}: the first POST created nothing"
    assert (second.status_code, second["Location"]) == (302, first["Location"])


def test_a_double_submitted_reclaim_decision_creates_one_reclaim_and_one_decision(client, world, paid):
    form = scenario_reclaim_decide(world, None, paid)
    created, _first, _second = send_twice(client, form)
    assert Reclaim.objects.filter(grant=paid).count() == 1
    assert created["grants.Reclaim"] == (0, 1)


def test_a_double_drawdown_request_creates_one_request(client, world, current):
    created, _first, second = send_twice(client, scenario_drawdown_request(world, current, None))
    assert Drawdown.objects.filter(grant=current).count() == 1 and created["grants.Drawdown"] == (0, 1)
    page = client.get(second["Location"], HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "es wurde kein zweites Mal verarbeitet" in page


def fill(route: str) -> str:
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), path)
    path = re.sub(r"<(str|slug|path):\w+>", "x", path)
    return "/" + path


def test_a_replayed_key_reaches_no_view(client, world):
    """For every route at all: a form key whose first POST finished is answered from its record."""

    def walk(resolver: URLResolver, prefix: str = ""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, route)
            else:
                yield route

    user = world["finance"]
    client.force_login(user)
    routes = [fill(route) for route in walk(get_resolver()) if not route.startswith(("api/",))]
    assert len(routes) > 100
    before = counts()
    for path in routes:
        key = secrets.token_hex(16)
        IdempotencyKey.objects.create(user=user, key=key, path=path, location="/erledigt/")
        response = client.post(path, {FIELD: key})
        assert (response.status_code, response.get("Location")) == (302, "/erledigt/"), path
    assert changed(before, counts()) == {}


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("paid_carrier", lambda g, p: reverse("proof_detail", args=[p.pk, p.proofs.get(kind="final").pk])),
        ("current_carrier", lambda g, p: reverse("grant_drawdowns", args=[g.pk])),
        ("officer", lambda g, p: reverse("grant_reclaims", args=[p.pk])),
        ("finance", lambda g, p: reverse("grant_drawdowns", args=[p.pk])),
        ("approver", lambda g, p: reverse("grant_revoke", args=[p.pk])),
        ("current_carrier", lambda g, p: reverse("application_create")),
    ],
)
def test_every_post_form_carries_a_one_time_key(client, world, current, paid, who, page):
    people = world | {"paid_carrier": paid.carrier, "current_carrier": current.carrier}
    client.force_login(people[who])
    html = client.get(page(current, paid)).content.decode()
    forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S | re.I)
    assert forms, page
    keys = [re.search(rf'name="{FIELD}" value="([0-9a-f]{{32}})"', form) for form in forms]
    assert all(keys), [form[:200] for form, key in zip(forms, keys, strict=True) if not key]
    assert len({key.group(1) for key in keys}) == len(keys)  # a key of its own per form


def test_the_setting_puts_the_middleware_last_and_the_tag_in_every_template():
    assert settings.MIDDLEWARE[-1] == "core.idempotency.IdempotencyMiddleware"
    assert "core.templatetags.idempotency" in settings.TEMPLATES[0]["OPTIONS"]["builtins"]
