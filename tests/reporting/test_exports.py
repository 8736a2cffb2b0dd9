"""Finance exports: the right rows for each user, German headers, and files that parse back exactly."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from budgets.models import CoordinatingOffice, FundingProgramme, LedgerEntry
from core.errors import AccessDenied, DomainError
from grants.applications.models import Application
from grants.awards.models import Grant, PlanVersion, PlanVersionLine, ProofOfUse, Receipt
from grants.awards.payments.models import Drawdown
from grants.carriers.models import Organisation
from reporting.exports.selectors import export_queryset, may_export
from reporting.exports.services import export_write
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, carrier_user

pytestmark = pytest.mark.django_db

KINDS = ("applications", "grants", "drawdowns", "receipts", "ledger", "rollup")


# --- the world -------------------------------------------------------------------------------


@dataclass
class ExportWorld:
    root: CoordinatingOffice
    sn: CoordinatingOffice
    dresden: CoordinatingOffice
    leipzig: CoordinatingOffice
    mv: CoordinatingOffice
    wos: FundingProgramme
    dl: FundingProgramme
    org_a: Organisation
    org_b: Organisation
    users: dict[str, Any]
    grants: dict[str, Grant]

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_grant(application: Application, file_number: str, amount: str, year: int, *, by, state="notified"):
    return Grant.objects.create(
        application=application,
        file_number=file_number,
        organisation=application.organisation,
        programme=application.programme,
        office=application.office,
        title=application.title,
        purpose="Workshops",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        financing_type="deficit",
        granted_amount=Decimal(amount),
        planned_expenditure=Decimal(amount) * 2,
        drawdown_window_value=6,
        drawdown_window_unit="weeks",
        overrun_tolerance=Decimal("0.20"),
        notice_receipt_days=4,
        interim_report_months=4,
        final_report_months=6,
        payout_requires_final_notice=False,
        interest_margin_points=Decimal("5"),
        late_use_interest_from_window_end=False,
        confidential_individual_support=False,
        state=state,
        approved_by=by,
        approved_at=datetime(year - 1, 12, 1, 23, 30, tzinfo=UTC),  # 02.12. in Berlin
    )


def make_drawdown(grant: Grant, amount: str, *, by, state="requested", **kwargs: Any) -> Drawdown:
    return Drawdown.objects.create(
        grant=grant,
        budget_year=grant.period_start.year,
        amount=Decimal(amount),
        needed_on=date(grant.period_start.year, 3, 20),
        purpose="Honorare März",
        requested_by=by,
        state=state,
        **kwargs,
    )


def make_receipts(grant: Grant, *, by, receipts: list[tuple[str, str, str]]) -> None:
    plan = PlanVersion.objects.create(grant=grant, version=1, created_by=by, reason="Bewilligt")
    line = PlanVersionLine.objects.create(
        plan=plan,
        side="expenditure",
        category="fees",
        text="Honorare",
        budget_year=2026,
        amount=Decimal("5000"),
    )
    proof = ProofOfUse.objects.create(
        grant=grant, kind="interim", budget_year=2026, plan=plan, due_on=date(2027, 4, 30)
    )
    for number, counterparty, value in receipts:
        Receipt.objects.create(
            proof=proof,
            number=number,
            paid_on=date(2026, 5, 4),
            counterparty=counterparty,
            reason="Workshop Mai",
            amount=Decimal(value),
            plan_line=line,
        )


def build_world() -> ExportWorld:
    # Created in name order: treebeard keeps siblings sorted by name.
    root = office(name="Bundesamt", short_name="BU", code="BU", kind="federal", state="NW")
    sn = office(parent=root, name="Demokratie-Zentrum Sachsen", short_name="DZ SN", code="SN", kind="state")
    mv = office(
        parent=root, name="Landeskoordinierung MV", short_name="LK MV", code="MV", kind="state", state="MV"
    )
    dresden = office(parent=sn, name="PfD Dresden", short_name="PfD DD", code="SN-DD")
    leipzig = office(parent=sn, name="PfD Leipzig", short_name="PfD L", code="SN-L")
    for node in (root, sn, mv, dresden, leipzig):
        node.refresh_from_db()
    wos = FundingProgrammeFactory(name="Weltoffenes Sachsen", code="WOS")
    dl = FundingProgrammeFactory(name="Demokratie leben!", code="DL")
    org_a = OrganisationFactory(name="Jugendförderverein Görlitz e.V.")
    org_b = OrganisationFactory(name="Bündnis Zivilcourage e.V.")
    users: dict[str, Any] = {}
    for name, place, role in [
        ("finance_sn", sn, "finance"),
        ("finance_leipzig", leipzig, "finance"),
        ("auditor_sn", sn, "auditor"),
        ("officer_leipzig", leipzig, "case_officer"),
        ("finance_mv", mv, "finance"),
    ]:
        users[name] = UserFactory(username=name, first_name="Jürgen", last_name=f"Weiß-{name}")
        membership(users[name], place, role)
    users["carrier_a"] = carrier_user(org_a, username="carrier_a")
    users["carrier_b"] = carrier_user(org_b, username="carrier_b")
    users["nobody"] = UserFactory(username="nobody")

    ApplicationFactory(
        reference="A-2026-00001", office=leipzig, organisation=org_a, programme=wos, state="submitted",
        title="Demokratie-Werkstätten in Görlitz", submitted_at=datetime(2025, 10, 31, 23, 15, tzinfo=UTC),
    )  # fmt: skip
    a2 = ApplicationFactory(
        reference="A-2026-00002", office=dresden, organisation=org_b, programme=wos, state="approved"
    )
    a3 = ApplicationFactory(
        reference="A-2026-00003", office=mv, organisation=org_a, programme=dl, state="approved"
    )
    ApplicationFactory(
        reference="A-2026-00004", office=leipzig, organisation=org_a, programme=wos, state="draft"
    )
    a5 = ApplicationFactory(
        reference="A-2027-00005", office=leipzig, organisation=org_b, programme=dl, state="approved",
        start_date=date(2027, 1, 1), end_date=date(2027, 12, 31),
    )  # fmt: skip
    approver = users["finance_sn"]
    grants = {
        "g2": make_grant(a2, "SN-DD-WOS-2026-0001", "12345.67", 2026, by=approver, state="running"),
        "g3": make_grant(a3, "MV-DL-2026-0001", "5000.00", 2026, by=approver),
        "g5": make_grant(a5, "SN-L-DL-2027-0001", "7000.50", 2027, by=approver),
    }
    make_drawdown(grants["g2"], "3000.00", by=users["carrier_b"], state="paid", paid_on=date(2026, 3, 5))
    make_drawdown(grants["g3"], "1000.00", by=users["carrier_a"])
    make_drawdown(
        grants["g5"], "2500.25", by=users["carrier_b"], state="ordered",
        ordered_at=datetime(2027, 2, 28, 23, 30, tzinfo=UTC),  # 01.03.2027 in Berlin
    )  # fmt: skip
    make_receipts(
        grants["g2"],
        by=approver,
        receipts=[("R-001", "Müller & Söhne GmbH", "900.00"), ("R-002", "Stadtwerke Dresden", "150.50")],
    )
    make_receipts(grants["g3"], by=approver, receipts=[("R-100", "Druckerei Rostock", "320.00")])
    make_receipts(grants["g5"], by=approver, receipts=[("R-500", "Moderation Leipzig", "480.00")])

    sn_env = envelope(
        office=sn, programme=wos, budget_year=2026, allocated=Decimal("500000"), by=users["finance_sn"]
    )
    le_env = envelope(
        office=leipzig,
        programme=dl,
        budget_year=2027,
        allocated=Decimal("100000"),
        by=users["finance_leipzig"],
    )
    mv_env = envelope(
        office=mv, programme=dl, budget_year=2026, allocated=Decimal("200000"), by=users["finance_mv"]
    )
    for env, grant, value in [
        (sn_env, "g2", "12345.67"),
        (le_env, "g5", "7000.50"),
        (mv_env, "g3", "5000.00"),
    ]:
        LedgerEntry.objects.create(
            envelope=env,
            budget_year=env.budget_year,
            kind="commitment",
            amount=Decimal(value),
            reference=grants[grant].file_number,
            actor=users["finance_sn"],
        )
    LedgerEntry.objects.create(
        envelope=sn_env, budget_year=2026, kind="disbursement", amount=Decimal("3000.00"),
        reference=grants["g2"].file_number, actor=users["finance_sn"],
    )  # fmt: skip
    return ExportWorld(
        root=root, sn=sn, dresden=dresden, leipzig=leipzig, mv=mv, wos=wos, dl=dl,
        org_a=org_a, org_b=org_b, users=users, grants=grants,
    )  # fmt: skip


@pytest.fixture
def xw(db) -> ExportWorld:
    return build_world()


def export(kind: str, user: Any, fmt: str = "csv", **filters: Any) -> bytes:
    out = io.BytesIO()
    export_write(kind=kind, user=user, filters=filters, fmt=fmt, out=out)
    return out.getvalue()


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM tells Excel it is UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def keys(kind: str, user: Any, column: int = 0, **filters: Any) -> set[str]:
    return {row[column] for row in csv_rows(export(kind, user, **filters))[1:]}


# --- rows and headers ------------------------------------------------------------------------

HEADERS = {
    "applications": [
        "Antragsnummer", "Projekttitel", "Träger", "Koordinierungsstelle", "Programm", "Projektbeginn",
        "Projektende", "Finanzierungsart", "Status", "Eingereicht am", "Vorgeschlagener Betrag (EUR)",
    ],
    "grants": [
        "Aktenzeichen", "Antragsnummer", "Projekttitel", "Träger", "Koordinierungsstelle", "Programm",
        "Bewilligungszeitraum von", "Bewilligungszeitraum bis", "Finanzierungsart", "Betrag (EUR)", "Status",
        "Bewilligt am",
    ],
    "drawdowns": [
        "Aktenzeichen", "Träger", "Koordinierungsstelle", "Programm", "Haushaltsjahr", "Betrag (EUR)", "Zweck",
        "Benötigt am", "Status", "Angeordnet am", "Wertstellung",
    ],
    "receipts": [
        "Aktenzeichen", "Träger", "Koordinierungsstelle", "Programm", "Nachweis", "Haushaltsjahr", "Belegnummer",
        "Datum", "Empfänger/Einzahler", "Zahlungsgrund", "Ausgabenart", "Betrag (EUR)",
    ],
    "ledger": [
        "Koordinierungsstelle", "Programm", "Haushaltsjahr", "Mittelherkunft", "Haushaltstitel", "Buchungsart",
        "Betrag (EUR)", "Aktenzeichen", "Gebucht am", "Gebucht von", "Bemerkung",
    ],
    "rollup": [
        "Koordinierungsstelle", "Programm", "Haushaltsjahr", "Mittelherkunft", "Ansatz (EUR)",
        "Ausgabereste (EUR)", "Verstärkungen (EUR)", "Gesperrt (EUR)", "Festgelegt (EUR)", "Ausgezahlt (EUR)",
        "Offen (EUR)", "Nachgewiesen (EUR)", "Zurückgefordert (EUR)", "Zurückgezahlt (EUR)", "Verfügbar (EUR)",
    ],
}  # fmt: skip

# The first column of every row a finance user of the Saxon subtree sees, in export order.
FINANCE_SN_ROWS = {
    "applications": [
        "A-2026-00001",
        "A-2026-00002",
        "A-2027-00005",
    ],  # the draft A-2026-00004 is the carrier's
    "grants": ["SN-DD-WOS-2026-0001", "SN-L-DL-2027-0001"],
    "drawdowns": ["SN-DD-WOS-2026-0001", "SN-L-DL-2027-0001"],
    "receipts": ["SN-DD-WOS-2026-0001", "SN-DD-WOS-2026-0001", "SN-L-DL-2027-0001"],
    "ledger": ["Demokratie-Zentrum Sachsen"] * 3 + ["PfD Leipzig"] * 2,
    "rollup": ["Demokratie-Zentrum Sachsen", "PfD Leipzig"],
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_export_has_german_headers_and_the_finance_users_rows(xw, kind):
    rows = csv_rows(export(kind, xw.finance_sn))
    assert rows[0] == HEADERS[kind]
    first_column = [row[0] for row in rows[1:]]
    if kind == "ledger":
        first_column = sorted(first_column)
    assert first_column == FINANCE_SN_ROWS[kind]


def test_grant_rows_carry_german_labels_amounts_and_dates(xw):
    rows = csv_rows(export("grants", xw.finance_sn))
    assert rows[1] == [
        "SN-DD-WOS-2026-0001", "A-2026-00002", "Demokratiewerkstatt im Stadtteil", "Bündnis Zivilcourage e.V.",
        "PfD Dresden", "Weltoffenes Sachsen", "01.01.2026", "31.12.2026", "Fehlbedarfsfinanzierung",
        "12345,67", "Laufend", "02.12.2025",
    ]  # fmt: skip


def test_application_rows_show_the_state_label_and_the_local_submission_day(xw):
    rows = csv_rows(export("applications", xw.finance_sn))
    assert rows[1][:3] == [
        "A-2026-00001",
        "Demokratie-Werkstätten in Görlitz",
        "Jugendförderverein Görlitz e.V.",
    ]
    # Submitted 31.10.2025 23:15 UTC, which is 01.11.2025 in Berlin.
    assert (rows[1][8], rows[1][9], rows[1][10]) == ("Eingereicht", "01.11.2025", "")


def test_staff_see_nothing_outside_their_subtree(xw):
    user = xw.finance_leipzig
    assert keys("applications", user) == {"A-2026-00001", "A-2027-00005"}
    assert keys("grants", user) == {"SN-L-DL-2027-0001"}
    assert keys("drawdowns", user) == {"SN-L-DL-2027-0001"}
    assert keys("receipts", user, column=6) == {"R-500"}
    assert keys("ledger", user, column=7) == {"", "SN-L-DL-2027-0001"}  # the allocation has no reference
    assert keys("rollup", user) == {"PfD Leipzig"}
    assert keys("grants", xw.finance_mv) == {"MV-DL-2026-0001"}
    # Auditors read everything in their subtree, as finance does.
    assert keys("grants", xw.auditor_sn) == {"SN-DD-WOS-2026-0001", "SN-L-DL-2027-0001"}


def test_carriers_export_only_their_own_organisations_rows(xw):
    a, b = xw.carrier_a, xw.carrier_b
    assert keys("applications", a) == {"A-2026-00001", "A-2026-00003", "A-2026-00004"}
    assert keys("grants", a) == {"MV-DL-2026-0001"}
    assert keys("drawdowns", a) == {"MV-DL-2026-0001"}
    assert keys("receipts", a, column=6) == {"R-100"}
    assert keys("applications", b) == {"A-2026-00002", "A-2027-00005"}
    assert keys("grants", b) == {"SN-DD-WOS-2026-0001", "SN-L-DL-2027-0001"}
    assert keys("receipts", b, column=6) == {"R-001", "R-002", "R-500"}


@pytest.mark.parametrize("person", ["carrier_a", "officer_leipzig", "nobody"])
@pytest.mark.parametrize("kind", ["ledger", "rollup"])
def test_budget_data_is_only_for_finance_office_heads_and_auditors(xw, person, kind):
    user = getattr(xw, person)
    assert not may_export(user, kind)
    with pytest.raises(AccessDenied):
        export(kind, user)


def test_people_without_any_role_may_export_nothing(xw):
    for kind in KINDS:
        assert not may_export(xw.nobody, kind)
        with pytest.raises(AccessDenied):
            export_queryset(kind, xw.nobody, {})


def test_an_office_outside_the_users_offices_is_refused_as_a_filter(xw):
    with pytest.raises(AccessDenied):
        export("grants", xw.finance_leipzig, office=xw.sn.pk)
    with pytest.raises(AccessDenied):
        export("rollup", xw.finance_leipzig, office=xw.mv.pk)


def test_filters_narrow_by_office_subtree_programme_year_and_state(xw):
    user = xw.finance_sn
    assert keys("grants", user, office=xw.dresden.pk) == {"SN-DD-WOS-2026-0001"}
    assert keys("grants", user, programme=xw.dl.pk) == {"SN-L-DL-2027-0001"}
    assert keys("grants", user, year=2027) == {"SN-L-DL-2027-0001"}
    assert keys("grants", user, state="running") == {"SN-DD-WOS-2026-0001"}
    assert keys("applications", user, state="submitted") == {"A-2026-00001"}
    assert keys("applications", user, year=2027) == {"A-2027-00005"}
    assert keys("drawdowns", user, state="ordered") == {"SN-L-DL-2027-0001"}
    assert keys("ledger", user, column=5, year=2027) == {"Ansatz", "Festlegung"}
    assert keys("rollup", user, office=xw.leipzig.pk) == {"PfD Leipzig"}
    assert keys("rollup", user, year=2026) == {"Demokratie-Zentrum Sachsen"}
    # Carriers narrow their own rows by office.
    assert keys("applications", xw.carrier_a, office=xw.mv.pk) == {"A-2026-00003"}


def test_a_state_that_the_export_does_not_have_is_refused(xw):
    with pytest.raises(DomainError):
        export("grants", xw.finance_sn, state="submitted")
    with pytest.raises(DomainError):
        export("ledger", xw.finance_sn, state="commitment")
