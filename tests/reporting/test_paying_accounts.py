"""Several funders, one file (DOMAIN.md §8): each part of a payment is paid from the paying
account of the envelope that carries it, one SEPA payment block (PmtInf) per paying account."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from importlib.resources import files

import pytest
import xmlschema
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from budgets.models import LedgerEntry, PayingAccount
from budgets.services.commitments import movement_parts
from core.errors import DomainError
from core.formatting import format_eur
from grants.applications.services.application import application_propose_approval
from grants.awards.payments.models import PaymentRun, PaymentRunTransfer
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_order, drawdown_request
from grants.awards.payments.services.run import payment_run_execute
from grants.awards.services.award import application_approve
from reporting.exports.selectors import export_queryset
from reporting.payments.services import payment_run_create
from tests.budgets.factories import UserFactory, envelope, membership, office
from tests.reporting.helpers import approved, reviewed_application

pytestmark = pytest.mark.django_db

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
XSD = files("sepaxml") / "schemas" / "pain.001.001.09.xsd"
D = Decimal
BUND = "DE02100500000054540402"  # Berliner Sparkasse, BELADEBEXXX
LAND = "DE02500105170137075030"  # ING, INGDDEFFXXX
STADT = "DE12500105170648489890"  # ING, INGDDEFFXXX


@pytest.fixture
def funders(world):
    """Saxony (state and federal envelopes) with a grant split 75/25 federal/state and a grant of
    the state's own money; Leipzig below it with a grant; finance staff for each."""
    w = world
    leipzig = office(parent=w["sn"], name="Partnerschaft für Demokratie Leipzig", code="SN-LE")
    envelope(office=leipzig, programme=w["programme"], budget_year=2026, allocated=D("100000"))
    federal = envelope(
        office=w["sn"],
        programme=w["programme"],
        budget_year=2026,
        funding_source="federal",
        budget_title="0602 684 01",
        allocated=D("300000"),
    )
    finance, finance2, leipzig_finance = UserFactory(), UserFactory(), UserFactory()
    membership(finance, w["sn"], "finance")
    membership(finance2, w["sn"], "finance")
    membership(leipzig_finance, leipzig, "finance")
    app = reviewed_application(w)
    app = application_propose_approval(
        application=app,
        by=w["officer"],
        instalments={2026: D("12345.67")},
        shares={"federal": D("9259.25"), "state": D("3086.42")},
    )
    split = application_approve(application=app, by=w["approver"]).grant
    return w | {
        "leipzig": leipzig,
        "federal": federal,
        "finance": finance,
        "finance2": finance2,
        "leipzig_finance": leipzig_finance,
        "split": split,
        "state_grant": approved(w).grant,
        "leipzig_grant": approved(w | {"sn": leipzig}).grant,
    }


def accounts(w, *, leipzig=True):
    PayingAccount.objects.create(
        office=w["sn"], funding_source="federal", name="Bundeskasse DZ Sachsen", iban=BUND
    )
    PayingAccount.objects.create(
        office=w["sn"], funding_source="state", name="Staatskasse Sachsen", iban=LAND
    )
    if leipzig:
        PayingAccount.objects.create(office=w["leipzig"], name="Stadtkasse Leipzig", iban=STADT)


def ordered(w, grant, amount):
    drawdown = drawdown_request(
        grant=grant,
        by=w["carrier"],
        amount=D(amount),
        needed_on=date(2026, 3, 20),
        purpose="Honorare März",
        today=date(2026, 3, 2),
    )
    drawdown = drawdown_certify(drawdown=drawdown, by=w["officer"])
    return drawdown_order(drawdown=drawdown, by=w["finance"])


def blocks(run):
    """Per PmtInf: debtor IBAN → (NbOfTxs, CtrlSum, {end-to-end id: amount}); the header's totals."""
    with run.file.open("rb") as f:
        xml = f.read()
    xmlschema.XMLSchema(str(XSD)).validate(xml.decode())
    root = ET.fromstring(xml)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    found = {}
    for info in root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf", NS):
        found[info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS)] = (
            info.findtext("p:PmtInfId", namespaces=NS),
            info.findtext("p:Dbtr/p:Nm", namespaces=NS),
            info.findtext("p:NbOfTxs", namespaces=NS),
            info.findtext("p:CtrlSum", namespaces=NS),
            {
                tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS): tx.findtext(
                    "p:Amt/p:InstdAmt", namespaces=NS
                )
                for tx in info.iterfind("p:CdtTrfTxInf", NS)
            },
        )
    return (header.findtext("p:NbOfTxs", namespaces=NS), header.findtext("p:CtrlSum", namespaces=NS)), found


def test_payments_of_two_offices_give_one_payment_block_per_paying_account(funders):
    w = funders
    accounts(w)
    d1 = ordered(w, w["state_grant"], "1234.56")
    d2 = ordered(w, w["leipzig_grant"], "500.00")
    d3 = ordered(w, w["state_grant"], "0.07")
    run = payment_run_create(drawdowns=[d1, d2, d3], execution_date=timezone.localdate(), by=w["finance"])

    header, found = blocks(run)
    assert header == ("3", "1734.63")
    assert found == {
        LAND: (
            f"{run.reference}-1",
            "Staatskasse Sachsen",
            "2",
            "1234.63",
            {f"MA-{d1.pk}": "1234.56", f"MA-{d3.pk}": "0.07"},
        ),
        STADT: (f"{run.reference}-2", "Stadtkasse Leipzig", "1", "500.00", {f"MA-{d2.pk}": "500.00"}),
    }
    assert (run.payment_count, run.total_amount) == (3, D("1734.63"))
    # Several paying accounts: the run names none, each transfer names its own.
    assert (run.debtor_name, run.debtor_iban) == ("", "")
    assert sorted(PaymentRunTransfer.objects.values_list("debtor_iban", "amount")) == [
        (LAND, D("0.07")),
        (LAND, D("1234.56")),
        (STADT, D("500.00")),
    ]


def test_a_payment_financed_by_two_sources_is_two_transfers_from_two_accounts(funders):
    w = funders
    accounts(w)
    drawdown = ordered(w, w["split"], "1000.00")
    parts = movement_parts(reference=w["split"].file_number, budget_year=2026, amount=D("1000.00"))
    assert [(p.funding_source, p.amount) for p in parts] == [("federal", D("750.00")), ("state", D("250.00"))]
    run = payment_run_create(drawdowns=[drawdown], execution_date=timezone.localdate(), by=w["finance"])

    header, found = blocks(run)
    assert header == ("2", "1000.00")
    assert found == {
        BUND: (
            f"{run.reference}-1",
            "Bundeskasse DZ Sachsen",
            "1",
            "750.00",
            {f"MA-{drawdown.pk}-1": "750.00"},
        ),
        LAND: (f"{run.reference}-2", "Staatskasse Sachsen", "1", "250.00", {f"MA-{drawdown.pk}-2": "250.00"}),
    }
    # One payment in the run (its item), paid in two transfers.
    assert run.payment_count == 1 and run.items.get().amount == D("1000.00")

    # Booking the execution books each part on the envelope whose account paid it.
    since = LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    payment_run_execute(run=run, executed_on=timezone.localdate(), by=w["finance2"])
    booked = sorted(
        LedgerEntry.objects.filter(pk__gt=since, kind="disbursement").values_list("envelope_id", "amount")
    )
    paid = sorted(PaymentRunTransfer.objects.values_list("envelope_id", "amount"))
    assert booked == paid == sorted([(w["federal"].pk, D("750.00")), (parts[1].envelope_id, D("250.00"))])


def test_without_any_paying_account_the_settings_account_pays_in_one_block(funders):
    w = funders
    drawdown = ordered(w, w["split"], "1000.00")
    run = payment_run_create(drawdowns=[drawdown], execution_date=timezone.localdate(), by=w["finance"])
    header, found = blocks(run)
    assert header == ("2", "1000.00")
    assert list(found) == [settings.SEPA_DEBTOR_IBAN]
    assert found[settings.SEPA_DEBTOR_IBAN][2:] == (
        "2",
        "1000.00",
        {f"MA-{drawdown.pk}-1": "750.00", f"MA-{drawdown.pk}-2": "250.00"},
    )
    assert run.debtor_iban == settings.SEPA_DEBTOR_IBAN


def test_a_payment_without_a_paying_account_is_refused_in_german_and_nothing_is_created(client, funders):
    w = funders
    accounts(w, leipzig=False)
    d1 = ordered(w, w["state_grant"], "100.00")
    d2 = ordered(w, w["leipzig_grant"], "500.00")
    client.force_login(w["finance"])
    data = {"drawdowns": [d1.pk, d2.pk], "execution_date": timezone.localdate().isoformat()}
    requested = timezone.localdate(d2.requested_at).strftime("%d.%m.%Y")
    with translation.override("de"):
        euros = format_eur(D("500.00"))
    expected = (
        "Für Mittel der Finanzierungsquelle Land der Stelle Partnerschaft für Demokratie Leipzig "
        "(Haushaltstitel 0601 684 21, Haushaltsjahr 2026) ist kein Zahlkonto hinterlegt; der Mittelabruf "
        f"{w['leipzig_grant'].file_number} vom {requested} ({euros}) kann daher keinem Zahlkonto "
        "zugeordnet werden. Bitte wenden Sie sich an die Administration, damit ein Zahlkonto angelegt wird."
    )
    for action in ({"action": "preview"}, {}):
        response = client.post(reverse("payment_run_list"), data | action)
        assert response.status_code == 200
        assert [str(m) for m in get_messages(response.wsgi_request)] == [expected]
        assert "payment-run-preview" not in response.content.decode()
    assert not PaymentRun.objects.exists()
    assert not PaymentRunTransfer.objects.exists()


def test_the_preview_shows_the_blocks_the_file_then_has(client, funders):
    w = funders
    accounts(w)
    d1 = ordered(w, w["split"], "1000.00")
    d2 = ordered(w, w["leipzig_grant"], "500.00")
    client.force_login(w["finance"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {"drawdowns": [d1.pk, d2.pk], "execution_date": timezone.localdate().isoformat()}

    preview = client.post(reverse("payment_run_list"), data | {"action": "preview"})
    page = preview.content.decode()
    assert preview.status_code == 200 and not PaymentRun.objects.exists()
    assert "Transfers: 3 in 3 payment blocks (one per paying account), total €1,500.00." in page
    expected_blocks = [
        f"Payment block 1: paid from Bundeskasse DZ Sachsen · {BUND}",
        f"Payment block 2: paid from Staatskasse Sachsen · {LAND}",
        f"Payment block 3: paid from Stadtkasse Leipzig · {STADT}",
    ]
    for text in expected_blocks:
        assert text in page
    assert f"MA-{d1.pk}-1" in page and f"MA-{d1.pk}-2" in page and f"MA-{d2.pk}<" in page

    created = client.post(reverse("payment_run_list"), data)
    run = PaymentRun.objects.get()
    assert created["Location"] == reverse("payment_run_detail", args=[run.pk])
    detail = client.get(created["Location"]).content.decode()
    for text in expected_blocks:
        assert text in detail
    assert "Transfers: 1, control sum €750.00" in detail
    assert "Transfers: 1, control sum €500.00" in detail
    _header, found = blocks(run)
    assert [(iban, block[3]) for iban, block in found.items()] == [
        (BUND, "750.00"),
        (LAND, "250.00"),
        (STADT, "500.00"),
    ]


def test_execution_is_refused_when_the_split_no_longer_matches_the_file(funders):
    w = funders
    accounts(w)
    drawdown = ordered(w, w["split"], "1000.00")
    run = payment_run_create(drawdowns=[drawdown], execution_date=timezone.localdate(), by=w["finance"])
    # As if the grant's commitments had moved since the file was made.
    PaymentRunTransfer.objects.filter(end_to_end_id=f"MA-{drawdown.pk}-1").update(amount=D("700.00"))
    since = LedgerEntry.objects.count()
    with translation.override("en"), pytest.raises(DomainError) as exc:
        payment_run_execute(run=run, executed_on=timezone.localdate(), by=w["finance2"])
    assert exc.value.messages[0].startswith(f"The drawdown {w['split'].file_number} of ")
    assert exc.value.messages[0].endswith(
        f"would now be booked on other envelopes than the file pays it from; please cancel payment run "
        f"{run.reference} and create a new one."
    )
    assert LedgerEntry.objects.count() == since
    run.refresh_from_db()
    assert run.is_open


def test_only_finance_of_every_paying_office_sees_the_run(client, funders):
    w = funders
    accounts(w)
    run = payment_run_create(
        drawdowns=[ordered(w, w["split"], "1000.00"), ordered(w, w["leipzig_grant"], "500.00")],
        execution_date=timezone.localdate(),
        by=w["finance"],
    )
    # Leipzig's finance covers only one of the run's offices: the run stays hidden.
    client.force_login(w["leipzig_finance"])
    assert client.get(reverse("payment_run_detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("payment_run_download", args=[run.pk])).status_code == 404
    # Nor may it preview payments of Saxony's own grants: they are not among its choices.
    pending = ordered(w, w["state_grant"], "10.00")
    response = client.post(
        reverse("payment_run_list"),
        {"drawdowns": [pending.pk], "execution_date": timezone.localdate().isoformat(), "action": "preview"},
    )
    assert response.status_code == 200
    assert "payment-run-preview" not in response.content.decode()
    assert "Staatskasse Sachsen" not in response.content.decode()
    # Carriers and case officers have no payment runs at all.
    for user in (w["carrier"], w["officer"]):
        client.force_login(user)
        assert client.post(reverse("payment_run_list"), {"action": "preview"}).status_code == 403
        assert client.get(reverse("payment_run_detail", args=[run.pk])).status_code == 404
    client.force_login(w["finance2"])
    assert client.get(reverse("payment_run_detail", args=[run.pk])).status_code == 200


def test_a_paying_account_needs_a_valid_iban_and_its_envelope_of_the_office(funders):
    w = funders
    with translation.override("de"):
        bad = PayingAccount(
            office=w["sn"], funding_source="state", name="Staatskasse", iban="DE00100500000054540402"
        )
        with pytest.raises(ValidationError) as exc:
            bad.full_clean()
        assert exc.value.message_dict == {
            "iban": ["DE00100500000054540402 ist keine gültige IBAN im SEPA-Raum mit bekannter Bank."]
        }
        foreign = PayingAccount(office=w["leipzig"], envelope=w["federal"], name="Kasse", iban=STADT)
        with pytest.raises(ValidationError) as exc:
            foreign.full_clean()
        assert exc.value.message_dict == {
            "envelope": [f"Der Mittelansatz {w['federal']} gehört zu einer anderen Stelle."]
        }
    good = PayingAccount(
        office=w["sn"], envelope=w["federal"], name="Bundeskasse", iban="de02 1005 0000 0054 5404 02"
    )
    good.full_clean()
    assert (good.iban, good.bic, good.funding_source) == (BUND, "BELADEBEXXX", "federal")


def test_finance_admin_sets_up_an_account_and_the_envelope_names_it(admin_client, funders):
    w = funders
    response = admin_client.post(
        reverse("admin:budgets_payingaccount_add"),
        {
            "office": w["sn"].pk,
            "funding_source": "federal",
            "name": "Bundeskasse",
            "iban": "DE021005",
            "bic": "",
        },
    )
    assert response.status_code == 200
    assert "DE021005 ist keine gültige IBAN im SEPA-Raum mit bekannter Bank." in response.content.decode()
    assert not PayingAccount.objects.exists()
    response = admin_client.post(
        reverse("admin:budgets_payingaccount_add"),
        {"office": w["sn"].pk, "funding_source": "federal", "name": "Bundeskasse", "iban": BUND, "bic": ""},
    )
    assert response.status_code == 302
    page = admin_client.get(reverse("admin:budgets_budgetenvelope_change", args=[w["federal"].pk]))
    assert f"Bundeskasse · {BUND}" in page.content.decode()


def test_the_office_page_lists_its_paying_accounts_and_figures_by_source(client, funders):
    w = funders
    accounts(w)
    client.force_login(w["finance"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("budget_dashboard"), {"office": w["sn"].pk}).content.decode()
    assert "Bundeskasse DZ Sachsen" in page and LAND in page
    table = page[page.index('id="source-table"') : page.index("</table>", page.index('id="source-table"'))]
    # Federal: 300,000.00 with 9,259.25 committed; state: Saxony's 2 × 500,000.00 and Leipzig's
    # 100,000.00, with 3,086.42 + 2 × 12,345.67 committed.
    assert "Federal" in table and "€300,000.00" in table and "€9,259.25" in table
    assert "State" in table and "€1,100,000.00" in table and "€27,777.76" in table
    leipzig = client.get(reverse("budget_dashboard"), {"office": w["leipzig"].pk}).content.decode()
    assert "Stadtkasse Leipzig" in leipzig and "Bundeskasse" not in leipzig
    client.force_login(w["leipzig_finance"])
    assert client.get(reverse("budget_dashboard"), {"office": w["sn"].pk}).status_code == 403


def test_exports_can_be_narrowed_to_one_funding_source(funders):
    w = funders
    grants = export_queryset("grants", w["finance"], {"source": "federal"})
    assert list(grants.values_list("file_number", flat=True)) == [w["split"].file_number]
    state = export_queryset("grants", w["finance"], {"source": "state"})
    assert set(state.values_list("file_number", flat=True)) == {
        w["split"].file_number,
        w["state_grant"].file_number,
        w["leipzig_grant"].file_number,
    }
    ledger = export_queryset("ledger", w["finance"], {"source": "federal"})
    assert set(ledger.values_list("envelope__funding_source", flat=True)) == {"federal"}
    rollup = export_queryset("rollup", w["finance"], {"source": "federal"})
    assert [(row["source"], row["committed"]) for row in rollup] == [("federal", D("9259.25"))]
    with translation.override("de"), pytest.raises(DomainError) as exc:
        export_queryset("applications", w["finance"], {"source": "federal"})
    assert exc.value.messages == ["Dieser Export kann nicht nach Finanzierungsquelle gefiltert werden."]
    with translation.override("de"), pytest.raises(DomainError) as exc:
        export_queryset("grants", w["finance"], {"source": "lottery"})
    assert exc.value.messages == ["„lottery“ ist keine Finanzierungsquelle."]


def test_a_file_whose_block_sums_differ_from_the_payments_is_refused():
    from reporting.payments import sepa

    creditor = sepa.checked_account(name="Jugendförderverein Görlitz e.V.", iban="DE89370400440532013000")
    blocks_ = [
        sepa.PaymentBlock(
            debtor=sepa.checked_account(name="Bundeskasse", iban=BUND),
            transfers=[sepa.Transfer("MA-1-1", creditor, D("750.00"), "SN-1 Mittelabruf")],
        ),
        sepa.PaymentBlock(
            debtor=sepa.checked_account(name="Staatskasse", iban=LAND),
            transfers=[
                sepa.Transfer("MA-1-2", creditor, D("250.00"), "SN-1 Mittelabruf"),
                sepa.Transfer("MA-2", creditor, D("0.07"), "SN-2 Mittelabruf"),
            ],
        ),
    ]
    xml = sepa.build_credit_transfer(
        message_id="ZL-20260320-ABCD", execution_date=date(2026, 3, 20), blocks=blocks_
    )
    root = ET.fromstring(xml)
    assert [b.findtext("p:CtrlSum", namespaces=NS) for b in root.iterfind(".//p:PmtInf", NS)] == [
        "750.00",
        "250.07",
    ]
    assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "1000.07"
    # Moving a transfer to the other block changes no total of the file, only the blocks: refused.
    moved = [
        sepa.PaymentBlock(blocks_[0].debtor, [*blocks_[0].transfers, blocks_[1].transfers[1]]),
        sepa.PaymentBlock(blocks_[1].debtor, blocks_[1].transfers[:1]),
    ]
    with pytest.raises(sepa.SepaFileError, match="payment blocks in the file differ"):
        sepa.check_totals(xml, moved)
    with pytest.raises(sepa.SepaFileError, match="exactly one block"):
        sepa.build_credit_transfer(
            message_id="ZL-20260320-ABCD",
            execution_date=date(2026, 3, 20),
            blocks=[blocks_[0], sepa.PaymentBlock(blocks_[0].debtor, blocks_[1].transfers)],
        )


def test_the_payment_order_names_each_paying_account_with_its_part(funders):
    from reporting.documents.payment_order import render_payment_order
    from tests.reporting.helpers import pdf_text

    w = funders
    accounts(w)
    text = pdf_text(render_payment_order(drawdown=ordered(w, w["split"], "1000.00")))
    assert "Bundeskasse DZ Sachsen" in text and "Staatskasse Sachsen" in text
    assert "DE02 1005 0000 0054 5404 02" in text and "750,00 €" in text
    assert "DE02 5001 0517 0137 0750 30" in text and "250,00 €" in text
    assert settings.SEPA_DEBTOR_NAME not in text


def test_the_payment_order_names_the_settings_account_while_no_office_has_one(funders):
    from reporting.documents.payment_order import render_payment_order
    from tests.reporting.helpers import pdf_text

    w = funders
    text = pdf_text(render_payment_order(drawdown=ordered(w, w["state_grant"], "500.00")))
    assert settings.SEPA_DEBTOR_NAME in text


def test_money_is_paid_back_to_the_account_of_the_grants_largest_source(funders):
    from budgets.paying_accounts import receiving_account

    w = funders
    assert receiving_account(w["split"].file_number) is None  # no accounts yet: settings account
    accounts(w)
    assert receiving_account(w["split"].file_number).iban == BUND  # 75 % federal
    assert receiving_account(w["state_grant"].file_number).iban == LAND
    assert receiving_account("Z-0000-0000") is None
