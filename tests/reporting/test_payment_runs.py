"""Payment runs: a validated pain.001.001.09 file, each payment in one run only, booked all at once."""

import threading
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from importlib.resources import files

import pytest
import xmlschema
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from budgets.models import LedgerEntry
from core.errors import AccessDenied, DomainError
from grants.awards.models import Grant
from grants.awards.payments.models import Drawdown, PaymentRun, PaymentRunItem
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.awards.payments.services.run import payment_run_execute
from reporting.payments.services import payment_run_create
from tests.budgets.factories import UserFactory, membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.reporting.helpers import approved

pytestmark = pytest.mark.django_db

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
XSD = files("sepaxml") / "schemas" / "pain.001.001.09.xsd"


@pytest.fixture
def payments(world):
    """Two carriers with a grant each (one with umlauts), finance staff here and elsewhere."""
    finance = UserFactory(first_name="Käthe", last_name="Öztürk")
    membership(finance, world["sn"], "finance")
    # Whoever books a run's execution is not who created it (grants.execute_payment_run).
    finance2 = UserFactory()
    membership(finance2, world["sn"], "finance")
    other_finance = UserFactory()
    membership(other_finance, world["other"], "finance")
    second = OrganisationFactory(name="Bündnis für Vielfalt Zittau e.V.", iban="DE37850503003120057788")
    w2 = world | {"organisation": second, "carrier": carrier_user(second)}
    world |= {
        "finance": finance,
        "finance2": finance2,
        "other_finance": other_finance,
        "grant": approved(world).grant,
        "grant2": approved(w2).grant,
        "carrier2": w2["carrier"],
    }
    return world


def ordered(world, grant, amount, *, order=True):
    carrier = world["carrier"] if grant.organisation_id == world["organisation"].pk else world["carrier2"]
    drawdown = drawdown_request(
        grant=grant,
        by=carrier,
        amount=Decimal(amount),
        needed_on=date(2026, 3, 20),
        purpose="Honorare März",
        today=date(2026, 3, 2),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=world["officer"])
    return drawdown_order(drawdown=drawdown, by=world["finance"]) if order else drawdown


def execution_day():
    # Today: the execution is booked on the day the bank executed the run, never a later one.
    return timezone.localdate()


def content(run):
    with run.file.open("rb") as f:
        return f.read()


def transactions(xml):
    root = ET.fromstring(xml)
    return root, {
        tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS): {
            "amount": tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            "currency": tx.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
            "name": tx.findtext("p:Cdtr/p:Nm", namespaces=NS),
            "iban": tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            "bic": tx.findtext("p:CdtrAgt/p:FinInstnId/p:BICFI", namespaces=NS),
            "remittance": tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
        }
        for tx in root.iterfind(".//p:CdtTrfTxInf", NS)
    }


def test_a_payment_run_file_validates_against_pain_001_001_09_with_exact_amounts(payments):
    w = payments
    d1 = ordered(w, w["grant"], "1234.56")
    d2 = ordered(w, w["grant"], "0.07")
    d3 = ordered(w, w["grant2"], "9999.99")
    when = execution_day()
    run = payment_run_create(drawdowns=[d3, d1, d2, d1], execution_date=when, by=w["finance"])

    xml = content(run)
    xmlschema.XMLSchema(str(XSD)).validate(xml.decode())
    root, txs = transactions(xml)
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == run.reference
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "11234.62"
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info.findtext("p:ReqdExctnDt/p:Dt", namespaces=NS) == when.isoformat()
    assert info.findtext("p:Dbtr/p:Nm", namespaces=NS) == "Foerderverwaltung Demo"
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == settings.SEPA_DEBTOR_IBAN

    def remittance(d):
        return f"{d.grant.file_number} Mittelabruf {timezone.localdate(d.requested_at):%d.%m.%Y}"

    goerlitz = {
        "currency": "EUR",
        "name": "Jugendfoerderverein Goerlitz e.V.",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",  # derived from the bank code 370 400 44
    }
    assert txs == {
        f"MA-{d1.pk}": goerlitz | {"amount": "1234.56", "remittance": remittance(d1)},
        f"MA-{d2.pk}": goerlitz | {"amount": "0.07", "remittance": remittance(d2)},
        f"MA-{d3.pk}": {
            "amount": "9999.99",
            "currency": "EUR",
            "name": "Buendnis fuer Vielfalt Zittau e.V.",
            "iban": "DE37850503003120057788",
            "bic": "OSDDDE81XXX",
            "remittance": remittance(d3),
        },
    }
    assert (run.state, run.payment_count, run.total_amount) == ("created", 3, Decimal("11234.62"))
    assert run.file.name.startswith("payment_runs/") and run.file_name == f"Zahllauf_{run.reference}.xml"
    assert sorted(run.items.values_list("drawdown_id", "amount")) == [
        (d1.pk, Decimal("1234.56")),
        (d2.pk, Decimal("0.07")),
        (d3.pk, Decimal("9999.99")),
    ]


def test_a_payment_already_in_a_run_is_refused_by_name(payments):
    w = payments
    d1, d2 = ordered(w, w["grant"], "100.00"), ordered(w, w["grant2"], "200.00")
    first = payment_run_create(drawdowns=[d1], execution_date=execution_day(), by=w["finance"])
    with translation.override("en"), pytest.raises(DomainError) as exc:
        payment_run_create(drawdowns=[d1, d2], execution_date=execution_day(), by=w["finance"])
    with translation.override("en"):
        assert exc.value.messages == [
            f"The drawdown {w['grant'].file_number} of "
            f"{timezone.localdate(d1.requested_at):%m/%d/%Y} (€100.00) is already in payment run "
            f"{first.reference}; a payment can be in only one run."
        ]
    assert PaymentRun.objects.count() == 1
    assert not PaymentRunItem.objects.filter(drawdown=d2).exists()


def test_only_ordered_payments_go_into_a_run(payments):
    w = payments
    certified = ordered(w, w["grant"], "100.00", order=False)
    with translation.override("en"), pytest.raises(DomainError) as exc:
        payment_run_create(drawdowns=[certified], execution_date=execution_day(), by=w["finance"])
    assert "“Certified”, not “payment ordered”" in exc.value.messages[0]
    assert not PaymentRun.objects.exists()


def test_the_execution_date_must_not_lie_in_the_past(payments):
    w = payments
    d = ordered(w, w["grant"], "100.00")
    with translation.override("en"), pytest.raises(DomainError) as exc:
        payment_run_create(
            drawdowns=[d], execution_date=timezone.localdate() - timedelta(days=1), by=w["finance"]
        )
    assert exc.value.messages == ["The requested execution date must not lie in the past."]


def test_an_invalid_creditor_iban_refuses_the_whole_run_naming_the_carrier(payments, tmp_path):
    w = payments
    good, bad = ordered(w, w["grant"], "100.00"), ordered(w, w["grant2"], "200.00")
    # The account frozen on the payment order is what a run pays (and checks).
    Drawdown.objects.filter(pk=bad.pk).update(payee_iban="DE37850503003120057789")
    with translation.override("en"), pytest.raises(DomainError) as exc:
        payment_run_create(drawdowns=[good, bad], execution_date=execution_day(), by=w["finance"])
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith(
        "The IBAN DE37850503003120057789 of Bündnis für Vielfalt Zittau e.V. is not valid for a SEPA transfer"
    )
    assert not PaymentRun.objects.exists() and not PaymentRunItem.objects.exists()
    assert not list((tmp_path / "media").rglob("*.xml"))


def test_executing_a_run_books_every_payment_and_its_disbursement(payments):
    w = payments
    d1, d2 = ordered(w, w["grant"], "1234.56"), ordered(w, w["grant2"], "99.01")
    when = execution_day()
    run = payment_run_create(drawdowns=[d1, d2], execution_date=when, by=w["finance"])
    run = payment_run_execute(run=run, executed_on=when, by=w["finance2"])
    assert (run.state, run.executed_on, run.executed_by) == ("executed", when, w["finance2"])
    assert sorted(Drawdown.objects.values_list("pk", "state", "paid_on")) == [
        (d1.pk, "paid", when),
        (d2.pk, "paid", when),
    ]
    assert sorted(
        LedgerEntry.objects.filter(kind="disbursement").values_list("reference", "amount")
    ) == sorted([(w["grant"].file_number, Decimal("1234.56")), (w["grant2"].file_number, Decimal("99.01"))])
    assert set(Grant.objects.values_list("state", flat=True)) == {"running"}
    with pytest.raises(DomainError):
        payment_run_execute(run=run, executed_on=when, by=w["finance2"])
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 2


def test_execution_books_all_payments_or_none(payments):
    w = payments
    d1, d2 = ordered(w, w["grant"], "100.00"), ordered(w, w["grant2"], "200.00")
    when = execution_day()
    run = payment_run_create(drawdowns=[d1, d2], execution_date=when, by=w["finance"])
    # Simulate a payment that got booked meanwhile (hand booking itself is refused, see below).
    drawdown_book_payment(drawdown=d2, by=w["finance"], paid_on=when, in_payment_run=True)
    with translation.override("en"), pytest.raises(DomainError) as exc:
        payment_run_execute(run=run, executed_on=when, by=w["finance2"])
    assert exc.value.messages[0].startswith(f"drawdown {w['grant2'].file_number} of ")
    assert Drawdown.objects.get(pk=d1.pk).state == "ordered"
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 1
    assert PaymentRun.objects.get().state == "created"


def test_payments_cannot_be_booked_before_the_requested_execution_date(payments):
    w = payments
    when = execution_day()
    run = payment_run_create(
        drawdowns=[ordered(w, w["grant"], "100.00")], execution_date=when, by=w["finance"]
    )
    with pytest.raises(DomainError):
        payment_run_execute(run=run, executed_on=when - timedelta(days=1), by=w["finance2"])


def test_only_finance_of_the_granting_office_creates_and_books_runs(payments):
    w = payments
    d = ordered(w, w["grant"], "100.00")
    for user in (w["officer"], w["carrier"], w["other_finance"], w["approver"]):
        with pytest.raises(AccessDenied):
            payment_run_create(drawdowns=[d], execution_date=execution_day(), by=user)
    run = payment_run_create(drawdowns=[d], execution_date=execution_day(), by=w["finance"])
    # ... and the execution is booked by another finance officer than the run's creator.
    for user in (w["officer"], w["carrier"], w["other_finance"], w["finance"]):
        with pytest.raises(AccessDenied):
            payment_run_execute(run=run, executed_on=run.execution_date, by=user)
    assert Drawdown.objects.get(pk=d.pk).state == "ordered"


def test_finance_creates_a_run_on_the_page_and_downloads_its_file(payments, client):
    w = payments
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    d1, d2 = ordered(w, w["grant"], "100.00"), ordered(w, w["grant2"], "200.00")
    client.force_login(w["finance"])
    page = client.get(reverse("payment_run_list"))
    assert page.status_code == 200
    assert (
        w["grant"].file_number in page.content.decode() and w["grant2"].file_number in page.content.decode()
    )
    when = execution_day()
    response = client.post(
        reverse("payment_run_list"), {"drawdowns": [d1.pk, d2.pk], "execution_date": when.isoformat()}
    )
    run = PaymentRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "payment_run_detail", args=[run.pk]
    )
    assert run.reference in client.get(response["Location"]).content.decode()
    download = client.get(reverse("payment_run_download", args=[run.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/xml"
    xml = b"".join(download.streaming_content)
    xmlschema.XMLSchema(str(XSD)).validate(xml.decode())
    # The same payments again: refused with a message, no second run.
    again = client.post(
        reverse("payment_run_list"), {"drawdowns": [d1.pk], "execution_date": when.isoformat()}, follow=True
    )
    assert f"already in payment run {run.reference}" in again.content.decode()
    assert PaymentRun.objects.count() == 1
    client.force_login(w["finance2"])
    booked = client.post(
        reverse("payment_run_execute", args=[run.pk]), {"executed_on": when.isoformat(), "confirmed": "1"}
    )
    assert booked.status_code == 302
    assert PaymentRun.objects.get().state == "executed"


def test_the_run_pages_and_file_are_for_finance_of_every_payment_only(payments, client):
    w = payments
    run = payment_run_create(
        drawdowns=[ordered(w, w["grant"], "100.00")], execution_date=execution_day(), by=w["finance"]
    )
    for user in (w["officer"], w["carrier"]):
        client.force_login(user)
        assert client.get(reverse("payment_run_list")).status_code == 403
        assert client.get(reverse("payment_run_download", args=[run.pk])).status_code == 404
    client.force_login(w["other_finance"])
    assert client.get(reverse("payment_run_list")).status_code == 200
    for name in ("payment_run_detail", "payment_run_download"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert (
        client.post(reverse("payment_run_execute", args=[run.pk]), {"executed_on": "2030-01-01"}).status_code
        == 404
    )
    assert PaymentRun.objects.get().state == "created"


def _race(jobs):
    """Run the jobs at the same moment in threads; (successes, refusals)."""
    barrier = threading.Barrier(len(jobs))
    results = []

    def run(job):
        try:
            barrier.wait()
            results.append(job())
        except DomainError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return [r for r in results if isinstance(r, PaymentRun)], [
        r for r in results if isinstance(r, DomainError)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_never_pay_a_payment_twice(payments):
    w = payments
    same = ordered(w, w["grant"], "100.00")
    when = execution_day()
    runs, refusals = _race(
        [lambda: payment_run_create(drawdowns=[same], execution_date=when, by=w["finance"])] * 2
    )
    assert (len(runs), len(refusals)) == (1, 1)
    assert PaymentRunItem.objects.filter(drawdown=same).count() == 1
    # The second waited for the first's row locks and then found the payment in its run.
    assert refusals[0].messages == [m for m in refusals[0].messages if runs[0].reference in m]

    # Overlapping selections, listed in opposite orders: no deadlock, one run, the other refused whole.
    a, b, c = (ordered(w, w["grant2"], amount) for amount in ("10.00", "20.00", "30.00"))
    runs, refusals = _race(
        [
            lambda: payment_run_create(drawdowns=[a, b], execution_date=when, by=w["finance"]),
            lambda: payment_run_create(drawdowns=[c, b], execution_date=when, by=w["finance"]),
        ]
    )
    assert (len(runs), len(refusals)) == (1, 1)
    assert len(refusals[0].messages) == 1 and runs[0].reference in refusals[0].messages[0]
    assert PaymentRunItem.objects.filter(drawdown=b).count() == 1
    loser_only = c if PaymentRunItem.objects.filter(drawdown=a).exists() else a
    assert not PaymentRunItem.objects.filter(drawdown=loser_only).exists()
    assert PaymentRun.objects.count() == 2


def test_a_payment_in_a_run_is_not_booked_by_hand(payments):
    w = payments
    d1 = ordered(w, w["grant"], "500.00")
    run = payment_run_create(drawdowns=[d1], execution_date=execution_day(), by=w["finance"])
    with translation.override("en"), pytest.raises(DomainError) as refused:
        drawdown_book_payment(drawdown=d1, by=w["finance"], paid_on=execution_day())
    with translation.override("en"):
        assert refused.value.messages == [
            f"This payment is part of the payment run {run.reference}; it is booked when the run's execution is booked."
        ]
    assert Drawdown.objects.get(pk=d1.pk).state == "ordered"


def test_the_run_page_shows_what_booking_the_execution_books(payments, client):
    w = payments
    d1, d2, d3 = (
        ordered(w, w["grant"], "100.00"),
        ordered(w, w["grant"], "50.50"),
        ordered(w, w["grant2"], "200.00"),
    )
    when = execution_day()
    run = payment_run_create(drawdowns=[d1, d2, d3], execution_date=when, by=w["finance"])
    client.force_login(w["finance2"])
    page = client.get(reverse("payment_run_detail", args=[run.pk]))
    effect = [(b.file_number, b.budget_year, b.payments, b.amount) for b in page.context["effect"]]
    assert effect == sorted(
        [
            (w["grant"].file_number, 2026, 2, Decimal("150.50")),
            (w["grant2"].file_number, 2026, 1, Decimal("200.00")),
        ]
    )
    assert page.context["may_execute"] and page.context["may_cancel"]
    payment_run_execute(run=run, executed_on=when, by=w["finance2"])
    booked = {}
    for reference, year, amount in LedgerEntry.objects.filter(kind="disbursement").values_list(
        "reference", "budget_year", "amount"
    ):
        booked[(reference, year)] = booked.get((reference, year), Decimal(0)) + amount
    assert booked == {(f, y): a for f, y, _n, a in effect}
    # The creator sees no execute button: the execution is booked by someone else.
    client.force_login(w["finance"])
    page = client.get(reverse("payment_run_detail", args=[run.pk]))
    assert not page.context["may_execute"] and page.context["effect"] == []


def test_booking_a_run_shows_the_bookings_and_asks_once(payments, client):
    w = payments
    d1, d2 = ordered(w, w["grant"], "100.00"), ordered(w, w["grant2"], "200.00")
    when = execution_day()
    run = payment_run_create(drawdowns=[d1, d2], execution_date=when, by=w["finance"])
    client.force_login(w["finance2"])
    url = reverse("payment_run_execute", args=[run.pk])
    preview = client.post(url, {"executed_on": when.isoformat()})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert run.reference in page and "300,00 €" in page and "100,00 €" in page and "200,00 €" in page
    assert w["grant"].file_number in page and w["grant2"].file_number in page
    assert f'name="executed_on" value="{when.isoformat()}"' in page and 'name="confirmed" value="1"' in page
    assert PaymentRun.objects.get(pk=run.pk).is_open  # the first POST wrote nothing
    assert not Drawdown.objects.filter(pk__in=[d1.pk, d2.pk], state="paid").exists()
    done = client.post(url, {"executed_on": when.isoformat(), "confirmed": "1"})
    assert done.status_code == 302 and PaymentRun.objects.get(pk=run.pk).state == "executed"
