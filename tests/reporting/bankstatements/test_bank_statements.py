"""Bank statements (camt.053): repayments booked, returned transfers back to a new run, the rest
listed for finance; imported once; bad files refused with the reason; finance of the office only.

The statements are fixture files next to this module that validate against the official schema
as they are; the tests fill in the ``${…}`` placeholders, which sit in free-text fields only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from string import Template

import pytest
import xmlschema
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from budgets.models import LedgerEntry
from core.errors import DomainError
from grants.awards.models import Reclaim, Repayment
from grants.awards.payments.models import Drawdown, PaymentRun, PaymentRunItem, PaymentRunTransfer
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_order, drawdown_request
from grants.awards.payments.services.run import payment_run_execute
from reporting.bankstatements.camt import SCHEMA_DIR
from reporting.bankstatements.models import BankStatement, StatementLine
from reporting.payments.selectors import payable_drawdowns
from reporting.payments.services import payment_run_create
from tests.budgets.factories import UserFactory, membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.grants.test_services_reclaim import build_grant, decide, pay
from tests.grants.test_services_reclaim import world as world

pytestmark = pytest.mark.django_db
D = Decimal
HERE = Path(__file__).resolve().parent
V02 = HERE / "statement_v02.xml"
V08 = HERE / "statement_v08.xml"
SPLIT = HERE / "statement_v02_split.xml"


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def set(self, year: int, month: int, day: int) -> None:
        self.now = datetime(year, month, day, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def _mv_world(world):
    """Staff of the Mecklenburg-Vorpommern office, shaped like ``world`` for ``build_grant``."""
    mv = {"sn": world["mv"], "officer": world["mv_officer"]}
    for role, kind in (("approver", "approver"), ("finance", "finance"), ("finance2", "finance")):
        mv[role] = UserFactory()
        membership(mv[role], world["mv"], kind)
    return mv


@pytest.fixture
def books(world, clock):
    """SN: a reclaim owing 2.575,15 € on 15.02.2025 (DOMAIN §4.3), a second open reclaim, a
    payment of 1.200,00 € in a run executed on 04.02.2025; MV: a reclaim like the first."""
    clock.set(2024, 10, 1)
    reclaimed = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    pay(reclaimed, world, "5000.00", date(2024, 10, 1))
    spare = build_grant(world, instalments={2024: "9000.00", 2025: "9000.00"})
    pay(spare, world, "5000.00", date(2024, 10, 1))
    mv = _mv_world(world)
    other = build_grant(mv, instalments={2024: "9000.00", 2025: "9000.00"})
    pay(other, mv, "5000.00", date(2024, 10, 1))
    clock.set(2024, 11, 15)
    reclaim = decide(reclaimed, world)
    spare_reclaim = decide(spare, world, principal="1000.00")
    other_reclaim = decide(other, mv)

    clock.set(2025, 2, 3)
    organisation = OrganisationFactory(name="Jugendförderverein Görlitz e.V.", iban="DE89370400440532013000")
    paid = build_grant(world, instalments={2025: "9000.00"})
    carrier = carrier_user(paid.organisation)
    drawdown = drawdown_request(
        grant=paid,
        by=carrier,
        amount=D("1200.00"),
        needed_on=date(2025, 2, 10),
        purpose="Honorare",
        today=date(2025, 2, 3),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=world["officer"])
    drawdown = drawdown_order(drawdown=drawdown, by=world["finance"])
    run = payment_run_create(drawdowns=[drawdown], execution_date=date(2025, 2, 4), by=world["finance"])
    clock.set(2025, 2, 4)
    payment_run_execute(run=run, executed_on=date(2025, 2, 4), by=world["finance2"])
    clock.set(2025, 2, 17)
    return {
        "reclaim": reclaim,
        "spare_reclaim": spare_reclaim,
        "other_reclaim": other_reclaim,
        "drawdown": Drawdown.objects.get(pk=drawdown.pk),
        "run": run,
        "mv": mv,
        "organisation": organisation,
        "carrier": carrier,
    }


def statement_file(path: Path, **values: str) -> SimpleUploadedFile:
    text = Template(path.read_text(encoding="utf-8")).safe_substitute(values)
    return SimpleUploadedFile(path.name, text.encode("utf-8"), content_type="application/xml")


def v02(books, statement_id="2025-02-15-0012") -> SimpleUploadedFile:
    return statement_file(
        V02,
        message_id="MSG-" + statement_id,
        statement_id=statement_id,
        payer="Jugendfoerderverein Goerlitz e.V.",
        repayment_reference=books["reclaim"].grant.file_number,
        return_end_to_end_id=f"MA-{books['drawdown'].pk}",
        return_remittance="Zuwendung Mittelabruf",
        unmatched_remittance="Spende Sommerfest ohne Zeichen",
    )


def v08(books) -> SimpleUploadedFile:
    return statement_file(
        V08,
        message_id="MSG-2025-02-18-0013",
        statement_id="2025-02-18-0013",
        mismatch_reference=books["reclaim"].grant.file_number,
        other_office_reference=books["other_reclaim"].grant.file_number,
    )


def upload(client, user, file, **extra):
    client.force_login(user)
    return client.post(reverse("bank_statement_list"), {"file": file, **extra}, follow=True)


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]


def counts() -> tuple[int, ...]:
    return (
        BankStatement.objects.count(),
        StatementLine.objects.count(),
        Repayment.objects.count(),
        LedgerEntry.objects.count(),
        PaymentRunItem.objects.count(),
    )


# --- the fixtures are real camt.053 files ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "version"), [(V02, "camt.053.001.02"), (SPLIT, "camt.053.001.02"), (V08, "camt.053.001.08")]
)
def test_the_test_statements_validate_against_the_official_schema(path, version):
    schema = xmlschema.XMLSchema(str(SCHEMA_DIR / f"{version}.xsd"))
    assert schema.is_valid(str(path))
    assert f"urn:iso:std:iso:20022:tech:xsd:{version}" in path.read_text(encoding="utf-8")


# --- what an import books ----------------------------------------------------------------------


def test_an_import_books_the_repayment_and_the_return_and_lists_the_rest(client, world, books):
    before = LedgerEntry.objects.count()
    response = upload(client, world["finance"], v02(books))
    messages = shown(response)
    assert response.status_code == 200
    assert (
        "Kontoauszug 2025-02-15-0012 importiert: gebuchte Rückzahlungen: 1, gebuchte Rücküberweisungen: 1, "
        "von Hand zuzuordnen: 1." in messages
    )
    statement = BankStatement.objects.get()
    assert (statement.statement_id, statement.sequence, statement.account_iban, statement.schema) == (
        "2025-02-15-0012",
        "12",
        "DE44850503003120000001",
        "camt.053.001.02",
    )
    assert (statement.opening_balance, statement.closing_balance) == (D("100000.00"), D("103925.15"))

    # 1: the repayment — principal 2.500,00 plus 92 days at 8,37 % and 45 days at 7,27 %.
    reclaim = Reclaim.objects.get(pk=books["reclaim"].pk)
    repayment = Repayment.objects.get(reclaim=reclaim)
    assert (repayment.amount, repayment.principal_part, repayment.interest_part, repayment.received_on) == (
        D("2575.15"),
        D("2500.00"),
        D("75.15"),
        date(2025, 2, 15),
    )
    assert reclaim.state == "settled"
    entry = LedgerEntry.objects.get(kind="repayment")
    assert (entry.reference, entry.amount, entry.budget_year) == (
        reclaim.grant.file_number,
        D("2500.00"),
        2024,
    )
    line = StatementLine.objects.get(position=1)
    assert (line.state, line.repayment_id) == ("repayment", repayment.pk)
    assert line.note == (
        f"Rückzahlung der Rückforderung zu {reclaim.grant.file_number} gebucht (eingegangen am 15.02.2025)."
    )

    # 2: the return — the payment is ordered again, out of its run, the disbursement reversed.
    drawdown = Drawdown.objects.get(pk=books["drawdown"].pk)
    assert (drawdown.state, drawdown.paid_on, drawdown.booked_by_id) == ("ordered", None, None)
    assert not PaymentRunItem.objects.filter(drawdown=drawdown).exists()
    reversal = LedgerEntry.objects.get(kind="disbursement", amount=D("-1200.00"))
    assert (reversal.reference, reversal.budget_year) == (drawdown.grant.file_number, 2025)
    returned = StatementLine.objects.get(position=2)
    assert (returned.state, returned.drawdown_id, returned.payment_run_id) == (
        "return",
        drawdown.pk,
        books["run"].pk,
    )
    assert "Grund AC04 (Konto erloschen)" in returned.note
    assert any("AC04 (Konto erloschen)" in m and books["run"].reference in m for m in messages)
    log = StateLog.objects.for_(drawdown).order_by("pk").last()
    assert (log.source_state, log.state, log.by_id) == ("paid", "ordered", world["finance"].pk)
    assert "AC04 (Konto erloschen)" in log.description
    # ... and it can go into a new run.
    assert list(payable_drawdowns(world["finance"])) == [drawdown]
    rerun = payment_run_create(drawdowns=[drawdown], execution_date=date(2025, 2, 18), by=world["finance"])
    assert rerun.items.get().drawdown_id == drawdown.pk

    # 3: the line nobody could place is listed, with why.
    unmatched = StatementLine.objects.get(position=3)
    assert (unmatched.state, unmatched.amount) == ("unassigned", D("150.00"))
    assert unmatched.note == "Der Verwendungszweck nennt keine offene Rückforderung dieser Stelle."
    page = client.get(reverse("statement_open_lines")).content.decode()
    assert "Spende Sommerfest ohne Zeichen" in page and "150,00 €" in page
    # What the repayment service books for a repayment, and the reversed disbursement; nothing else.
    assert list(LedgerEntry.objects.order_by("pk").values_list("kind", "amount", "budget_year", "reference"))[
        before:
    ] == [
        ("repayment", D("2500.00"), 2024, reclaim.grant.file_number),
        ("interest", D("75.15"), 2024, reclaim.grant.file_number),
        ("disbursement", D("-1200.00"), 2025, drawdown.grant.file_number),
    ]


def test_finance_assigns_an_open_line_to_a_reclaim_and_it_is_booked_as_a_repayment(client, world, books):
    upload(client, world["finance"], v02(books))
    line = StatementLine.objects.get(position=3)
    spare = books["spare_reclaim"]
    response = client.post(
        reverse("statement_line_assign", args=[line.pk]), {f"a{line.pk}-reclaim": spare.pk}, follow=True
    )
    assert (
        f"Posten 3 des Kontoauszugs 2025-02-15-0012 wurde als Rückzahlung der Rückforderung zu "
        f"{spare.grant.file_number} gebucht." in shown(response)
    )
    line.refresh_from_db()
    repayment = Repayment.objects.get(reclaim=spare)
    assert (line.state, line.repayment_id, line.handled_by_id) == (
        "assigned",
        repayment.pk,
        world["finance"].pk,
    )
    assert (repayment.amount, repayment.principal_part, repayment.received_on) == (
        D("150.00"),
        D("150.00"),
        date(2025, 2, 15),
    )
    assert LedgerEntry.objects.filter(
        kind="repayment", reference=spare.grant.file_number, amount=D("150.00")
    ).exists()
    # Handled once: a second assignment is refused with the line's state.
    again = client.post(
        reverse("statement_line_assign", args=[line.pk]), {f"a{line.pk}-reclaim": spare.pk}, follow=True
    )
    assert (
        "Posten 3 von Kontoauszug 2025-02-15-0012 des Kontos DE44850503003120000001 (Sequenznummer 12) "
        "wurde bereits bearbeitet (Von Hand zugeordnet)." in shown(again)
    )
    assert Repayment.objects.filter(reclaim=spare).count() == 1
    assert (
        "Spende Sommerfest ohne Zeichen" not in client.get(reverse("statement_open_lines")).content.decode()
    )


def test_a_line_is_dismissed_only_with_a_reason(client, world, books):
    upload(client, world["finance"], v02(books))
    line = StatementLine.objects.get(position=3)
    url = reverse("statement_line_dismiss", args=[line.pk])
    response = client.post(url, {f"d{line.pk}-reason": ""})
    assert response.status_code == 400
    assert "Bitte geben Sie einen Grund für das Verwerfen des Postens an." in response.content.decode()
    response = client.post(url, {f"d{line.pk}-reason": "Spende, keine Rückzahlung"}, follow=True)
    assert "Posten 3 des Kontoauszugs 2025-02-15-0012 wurde verworfen." in shown(response)
    line.refresh_from_db()
    assert (line.state, line.note, line.handled_by_id) == (
        "dismissed",
        "Spende, keine Rückzahlung",
        world["finance"].pk,
    )


def test_an_amount_that_is_not_owed_and_another_offices_reclaim_are_listed_not_booked(client, world, books):
    response = upload(client, world["finance"], v08(books))
    assert (
        "Kontoauszug 2025-02-18-0013 importiert: gebuchte Rückzahlungen: 0, gebuchte Rücküberweisungen: 0, "
        "von Hand zuzuordnen: 2." in shown(response)
    )
    assert BankStatement.objects.get().schema == "camt.053.001.08"
    mismatch, other = StatementLine.objects.order_by("position")
    file_number = books["reclaim"].grant.file_number
    assert (mismatch.state, mismatch.note) == (
        "unassigned",
        f"Der Betrag 2.000,00 € ist weder, was die Rückforderung zu {file_number} am 15.02.2025 schuldet "
        "(2.575,15 €), noch ihre offene Hauptforderung (2.500,00 €).",
    )
    assert (other.state, other.note) == (
        "unassigned",
        "Der Verwendungszweck nennt keine offene Rückforderung dieser Stelle.",
    )
    assert mismatch.counterparty_name == "Jugendfoerderverein Goerlitz e.V."
    assert not Repayment.objects.exists()
    assert Reclaim.objects.get(pk=books["other_reclaim"].pk).state == "open"


# --- imported once -----------------------------------------------------------------------------


def test_the_same_statement_imported_twice_books_nothing_twice(client, world, books):
    upload(client, world["finance"], v02(books))
    before = counts()
    response = upload(client, world["finance2"], v02(books))
    assert (
        "Der Kontoauszug 2025-02-15-0012 des Kontos DE44850503003120000001 (Sequenznummer 12) wurde bereits "
        f"am 17.02.2025 von {world['finance'].get_full_name()} importiert; es wurde nichts erneut importiert."
        in shown(response)
    )
    assert counts() == before


def test_entries_imported_with_another_statement_are_skipped_with_a_message(client, world, books):
    upload(client, world["finance"], v02(books))
    before = counts()
    response = upload(client, world["finance"], v02(books, statement_id="2025-02-15-0012-KORR"))
    messages = shown(response)
    assert (
        "Buchung 2025021500001 (2.575,15 €) wurde bereits mit Kontoauszug 2025-02-15-0012 des Kontos "
        "DE44850503003120000001 (Sequenznummer 12) am 17.02.2025 importiert; sie wurde nicht erneut gebucht."
        in messages
    )
    # Only the new statement's row: no line, repayment, ledger entry or run change.
    assert counts() == (before[0] + 1, *before[1:])


# --- files that are not camt.053 -----------------------------------------------------------------


PAIN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>'
)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol3;</Document>'
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&e;</Document>'
)


def _broken(books) -> str:
    # Valid XML in the right namespace, but the first entry has no amount.
    text = v02(books).read().decode()
    return text.replace('<Amt Ccy="EUR">2575.15</Amt>', "", 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Buchungstag;Betrag\n15.02.2025;2575,15\n", "Die Datei ist kein lesbares XML"),
        (
            PAIN,
            "Die Datei ist kein camt.053-Kontoauszug in Version 001.02 oder 001.08: ihr Namensraum ist „urn:iso:std:iso:20022:tech:xsd:pain.001.001.09“.",
        ),
        (BOMB, "Die Datei deklariert einen Dokumenttyp oder Entitäten"),
        (EXTERNAL, "Die Datei deklariert einen Dokumenttyp oder Entitäten"),
        (
            "broken",
            "Die Datei entspricht nicht dem Schema camt.053.001.02 (1 Fehler): /Document/BkToCstmrStmt/Stmt/Ntry[1]",
        ),
    ],
    ids=["csv", "pain001", "xml-bomb", "external-entity", "schema-error"],
)
def test_a_file_that_is_not_a_camt053_statement_is_refused_with_the_reason(
    client, world, books, content, message
):
    before = counts()
    text = _broken(books) if content == "broken" else content
    response = upload(client, world["finance"], SimpleUploadedFile("auszug.xml", text.encode()))
    assert any(m.startswith(message) for m in shown(response)), shown(response)
    assert counts() == before


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, world, books):
    big = SimpleUploadedFile("auszug.xml", b"<a>" + b" " * (2 * 1024 * 1024) + b"</a>")
    response = upload(client, world["finance"], big)
    assert (
        "Die Datei ist größer als 2 MB; ein Kontoauszug darf höchstens 2 MB groß sein."
        in response.content.decode()
    )
    assert not BankStatement.objects.exists()


# --- who may ---------------------------------------------------------------------------------


def test_only_finance_staff_import_statements(client, world, books):
    for user in (books["carrier"], world["officer"]):
        client.force_login(user)
        assert client.get(reverse("bank_statement_list")).status_code == 403
        assert client.post(reverse("bank_statement_list"), {"file": v02(books)}).status_code == 403
        assert client.get(reverse("statement_open_lines")).status_code == 403
    assert not BankStatement.objects.exists()


def test_finance_of_another_office_neither_sees_nor_handles_the_statement(client, world, books):
    upload(client, world["finance"], v02(books))
    statement = BankStatement.objects.get()
    line = StatementLine.objects.get(position=3)
    mv_finance = books["mv"]["finance"]
    client.force_login(mv_finance)
    assert client.get(reverse("bank_statement_detail", args=[statement.pk])).status_code == 404
    assert "2025-02-15-0012" not in client.get(reverse("bank_statement_list")).content.decode()
    assert "Spende Sommerfest" not in client.get(reverse("statement_open_lines")).content.decode()
    other = books["other_reclaim"]
    assert (
        client.post(
            reverse("statement_line_assign", args=[line.pk]), {f"a{line.pk}-reclaim": other.pk}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("statement_line_dismiss", args=[line.pk]), {f"d{line.pk}-reason": "x"}
        ).status_code
        == 404
    )
    assert StatementLine.objects.get(pk=line.pk).state == "unassigned"
    # SN finance cannot assign the line to MV's reclaim either: it is no choice of theirs.
    client.force_login(world["finance"])
    response = client.post(
        reverse("statement_line_assign", args=[line.pk]), {f"a{line.pk}-reclaim": other.pk}
    )
    assert response.status_code == 400
    assert not Repayment.objects.filter(reclaim=other).exists()


def test_the_payment_run_page_lists_the_returned_transfer_and_stays_visible(client, world, books):
    upload(client, world["finance"], v02(books))
    run = PaymentRun.objects.get(pk=books["run"].pk)
    assert not run.items.exists()
    page = client.get(reverse("payment_run_detail", args=[run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Von der Bank zurückgegeben" in html and "AC04 (Konto erloschen)" in html
    assert f"MA-{books['drawdown'].pk}" in html
    # Still hidden from finance of another office (the returned payment is not theirs).
    client.force_login(books["mv"]["finance"])
    assert client.get(reverse("payment_run_detail", args=[run.pk])).status_code == 404


def test_a_return_of_a_transfer_that_is_not_ours_is_listed_with_the_reason(client, world, books):
    upload(
        client, world["finance"], statement_file(V02, statement_id="S-1", return_end_to_end_id="FREMD-4711")
    )
    line = StatementLine.objects.get(position=2)
    assert (line.state, line.return_code) == ("unassigned", "AC04")
    assert line.note == (
        "Rücküberweisung (Grund AC04 (Konto erloschen)): keine Zahlung aus den Zahlläufen dieser Stelle "
        "hat die End-to-End-ID „FREMD-4711“."
    )
    assert Drawdown.objects.get(pk=books["drawdown"].pk).state == "paid"


def test_a_file_with_more_entries_than_the_limit_is_refused(world, books):
    from reporting.bankstatements.camt import StatementLimits
    from reporting.bankstatements.services import bank_statement_import

    data = v02(books).read()
    with pytest.raises(DomainError) as refused:
        bank_statement_import(
            data=data,
            file_name="a.xml",
            office=world["sn"],
            by=world["finance"],
            limits=StatementLimits(max_entries=2),
        )
    assert refused.value.messages == [
        "Die Datei hat mehr als 2 Buchungen; höchstens 2 Buchungen können auf einmal importiert werden."
    ]
    assert counts()[:2] == (0, 0)


def _split(books) -> list[str]:
    """The run's payment as a file paying it in two transfers (two funding sources, DOMAIN §8)."""
    item = PaymentRunItem.objects.get(drawdown=books["drawdown"])
    first = item.transfers.get()
    ids = [f"{item.end_to_end_id}-1", f"{item.end_to_end_id}-2"]
    PaymentRunTransfer.objects.filter(pk=first.pk).update(end_to_end_id=ids[0], amount=D("700.00"))
    first.pk = None
    first.end_to_end_id, first.amount = ids[1], D("500.00")
    first.save()
    return ids


def test_a_split_payment_is_returned_once_when_all_its_transfers_came_back(client, world, books):
    ids = _split(books)
    upload(
        client,
        world["finance"],
        statement_file(SPLIT, statement_id="S-2", part1_end_to_end_id=ids[0], part2_end_to_end_id=ids[1]),
    )
    drawdown = Drawdown.objects.get(pk=books["drawdown"].pk)
    assert drawdown.state == "ordered"
    assert list(
        LedgerEntry.objects.filter(kind="disbursement", amount__lt=0).values_list("amount", flat=True)
    ) == [D("-1200.00")]
    first, second = StatementLine.objects.order_by("position")
    assert (first.state, second.state) == ("return", "return")
    assert second.note.startswith("Teil der Rückgabe zur Zahlung Mittelabruf") and second.note.endswith(
        "gebucht mit Posten 1."
    )
    assert not PaymentRunItem.objects.filter(drawdown=drawdown).exists()


def test_a_split_payment_with_one_transfer_back_is_listed_not_booked(client, world, books):
    ids = _split(books)
    upload(
        client,
        world["finance"],
        statement_file(SPLIT, statement_id="S-3", part1_end_to_end_id=ids[0], part2_end_to_end_id="FREMD-1"),
    )
    assert Drawdown.objects.get(pk=books["drawdown"].pk).state == "paid"
    first = StatementLine.objects.get(position=1)
    assert first.state == "unassigned"
    assert f"{ids[0]} ist eine von 2 Überweisungen" in first.note and "nur 1 davon" in first.note


def test_a_line_of_zero_euros_is_skipped_with_a_message(client, world, books):
    text = v02(books).read().decode().replace('<Amt Ccy="EUR">150.00</Amt>', '<Amt Ccy="EUR">0.00</Amt>')
    response = upload(client, world["finance"], SimpleUploadedFile("auszug.xml", text.encode()))
    assert "Posten 3 hat den Betrag 0,00 €; es gibt nichts zu buchen." in shown(response)
    assert list(StatementLine.objects.order_by("position").values_list("position", flat=True)) == [1, 2]


def test_an_assignment_the_repayment_service_refuses_books_nothing_and_says_why(client, world, books):
    upload(client, world["finance"], v08(books))
    line = StatementLine.objects.get(position=1)  # 2.000,00 €
    spare = books["spare_reclaim"]  # owes 1.000,00 € and interest
    response = client.post(
        reverse("statement_line_assign", args=[line.pk]), {f"a{line.pk}-reclaim": spare.pk}, follow=True
    )
    messages = shown(response)
    assert any(m.startswith("2.000,00 €") and "15.02.2025" in m for m in messages), messages
    assert StatementLine.objects.get(pk=line.pk).state == "unassigned"
    assert not Repayment.objects.filter(reclaim=spare).exists()
