"""Proofs of use: schedule, the carrier's statement and receipts, submission, review, roles.

Also holds the helpers the receipt-import and settlement tests share: a grant approved through
the real services from a financing plan given line by line, and paid drawdowns driven through
request → certify → order → book.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.errors import AccessDenied, DomainError
from grants.applications.models import CoverLine, ExpenditureLine
from grants.applications.services.application import (
    application_complete_formal_check,
    application_propose_approval,
    application_start_formal_check,
    application_submit,
)
from grants.awards.models import Grant, ProofOfUse, Settlement
from grants.awards.payments.services.drawdown import (
    drawdown_book_payment,
    drawdown_certify,
    drawdown_order,
    drawdown_request,
)
from grants.awards.services.award import application_approve
from grants.awards.services.proof import (
    StatementEntry,
    plan_line_labels,
    proof_accept,
    proof_narrative_upload,
    proof_request_changes,
    proof_start_review,
    proof_statement_replace,
    proof_submit,
    proof_update,
    proofs_schedule,
    receipt_add,
    receipt_delete,
    receipt_update,
)
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import ApplicationFactory, carrier_user

pytestmark = pytest.mark.django_db

D = Decimal
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


# --- shared helpers ------------------------------------------------------------------------


def make_world() -> dict:
    root = office(name="BAFzA", code="BU", kind="federal", state="NW")
    sn = office(parent=root, name="Demokratie-Zentrum Sachsen", code="SN", kind="state", state="SN")
    other_root = office(name="Landeskoordinierung MV", code="MV", kind="state", state="MV")
    people = {}
    for name, place, role in [
        ("officer", sn, "case_officer"),
        ("approver", sn, "approver"),
        ("finance", sn, "finance"),
        ("finance2", sn, "finance"),
        ("unrelated_officer", other_root, "case_officer"),
    ]:
        people[name] = UserFactory(username=name)
        membership(people[name], place, role)
    return {"root": root, "sn": sn, "other_root": other_root, **people}


def approve_plan(
    world: dict,
    *,
    expenditure: list[tuple[str, str, int, str]],
    own: str = "0",
    third: str = "0",
    instalments: dict[int, str],
    financing_type: str = "deficit",
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
    **programme_fields,
) -> tuple[Grant, object]:
    """Approve a grant through the real services from a plan given line by line.

    ``expenditure``: (category, text, budget year, amount); own and third-party funds sit in
    the first year, the grant's cover lines follow ``instalments``.
    """
    programme = FundingProgrammeFactory(**programme_fields)
    for year in instalments:
        envelope(office=world["sn"], programme=programme, budget_year=year, allocated=D("1000000"))
    app = ApplicationFactory(
        office=world["sn"], programme=programme, financing_type=financing_type, start_date=start, end_date=end
    )
    for position, (category, text, year, amount) in enumerate(expenditure):
        ExpenditureLine.objects.create(
            application=app,
            position=position,
            category=category,
            description=text,
            budget_year=year,
            amount=D(amount),
        )
    if D(own):
        CoverLine.objects.create(application=app, kind="own", budget_year=start.year, amount=D(own))
    if D(third):
        CoverLine.objects.create(
            application=app, kind="third_party", source="Stadt", budget_year=start.year, amount=D(third)
        )
    for year, amount in instalments.items():
        CoverLine.objects.create(application=app, kind="grant", budget_year=year, amount=D(amount))
    carrier = carrier_user(app.organisation)
    app = application_submit(application=app, by=carrier)
    app = application_start_formal_check(application=app, by=world["officer"])
    app = application_complete_formal_check(application=app, by=world["officer"])
    app = application_propose_approval(
        application=app, by=world["officer"], instalments={y: D(a) for y, a in instalments.items()}
    )
    app = application_approve(application=app, by=world["approver"])
    # These projects were allowed to start on their period start (early start, DOMAIN.md §9), so
    # receipts of the whole period count although the notice is dated today.
    Grant.objects.filter(pk=app.grant.pk).update(early_start_from=start)
    return Grant.objects.get(pk=app.grant.pk), carrier


def pay(world: dict, grant: Grant, carrier, amount: str, *, today: date = date(2026, 3, 2)):
    """A drawdown through request → certify → order → book, paid three days after ``today``."""
    d = drawdown_request(
        grant=grant, by=carrier, amount=D(amount), needed_on=today, purpose="Ausgaben", today=today
    )
    d = drawdown_certify(drawdown=d, by=world["officer"])
    d = drawdown_order(drawdown=d, by=world["finance"])
    return drawdown_book_payment(drawdown=d, by=world["finance2"], paid_on=today)


def plan_lines(proof: ProofOfUse) -> dict[str, object]:
    """The proof's plan lines by their label, e.g. ``1 · Projektleitung (2026)``."""
    lines = list(proof.plan.lines.all())
    labels = plan_line_labels(lines)
    return {labels[line.pk]: line for line in lines}


def fill_final_proof(
    proof: ProofOfUse,
    carrier,
    *,
    actual: dict[str, str],
    own: str = "0",
    third: str = "0",
    receipts: bool = True,
) -> ProofOfUse:
    """Narrative, statement (``actual`` per expenditure line text) and one receipt per line."""
    lines = list(proof.plan.lines.all())
    entries = []
    for line in lines:
        if line.side == "expenditure":
            entries.append(StatementEntry(plan_line=line, actual=D(actual[line.text])))
        elif line.cover_kind == "own":
            entries.append(StatementEntry(plan_line=line, actual=D(own)))
        elif line.cover_kind == "third_party":
            entries.append(StatementEntry(plan_line=line, actual=D(third)))
    if D(third) and not any(line.cover_kind == "third_party" for line in lines):
        entries.append(StatementEntry(cover_kind="third_party", text="Spende", actual=D(third)))
    proof_update(proof=proof, by=carrier, narrative="Alle Workshops fanden statt.")
    proof_statement_replace(proof=proof, by=carrier, lines=entries)
    if receipts:
        for i, line in enumerate(line for line in lines if line.side == "expenditure"):
            if D(actual[line.text]):
                receipt_add(
                    proof=proof,
                    by=carrier,
                    number=f"R-{i + 1}",
                    paid_on=date(2026, 6, 1),
                    counterparty="Lieferant GmbH",
                    reason=line.text,
                    amount=D(actual[line.text]),
                    plan_line=line,
                )
    return ProofOfUse.objects.get(pk=proof.pk)


def messages(exc_info) -> list[str]:
    return exc_info.value.messages


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def one_year(world):
    grant, carrier = approve_plan(
        world,
        expenditure=[("staff", "Projektleitung", 2026, "8000"), ("fees", "Workshops", 2026, "2000")],
        own="1000",
        instalments={2026: "9000"},
    )
    world["carrier"] = carrier
    return grant


@pytest.fixture
def two_years(world):
    grant, carrier = approve_plan(
        world,
        expenditure=[("staff", "Projektleitung", 2026, "10000"), ("staff", "Projektleitung", 2027, "5000")],
        own="1500",
        instalments={2026: "9000", 2027: "4500"},
        end=date(2027, 6, 30),
    )
    world["carrier"] = carrier
    return grant


# --- schedule ------------------------------------------------------------------------------


def test_approval_schedules_only_the_final_proof_for_a_project_ending_on_31_december(one_year):
    proofs = list(one_year.proofs.all())
    assert [(p.kind, p.budget_year, p.due_on, p.state) for p in proofs] == [
        ("final", None, date(2027, 6, 30), "draft")
    ]
    assert proofs[0].plan == one_year.plan_versions.get()


def test_an_interim_proof_is_due_for_every_year_the_project_runs_past_its_end(two_years):
    assert [(p.kind, p.budget_year, p.due_on) for p in two_years.proofs.order_by("due_on")] == [
        ("interim", 2026, date(2027, 4, 30)),
        ("final", None, date(2027, 12, 31)),
    ]


def test_scheduling_again_creates_nothing_new(two_years):
    before = list(two_years.proofs.values_list("pk", flat=True).order_by("pk"))
    again = proofs_schedule(grant=two_years)
    assert sorted(p.pk for p in again) == before


def test_no_drawdown_while_an_interim_proof_is_overdue(world, two_years):
    carrier = world["carrier"]
    kwargs = {"grant": two_years, "by": carrier, "amount": D("1000"), "purpose": "Miete"}
    # Due on 30.04.2027: on that day a request is still possible.
    drawdown_request(needed_on=date(2027, 4, 30), today=date(2027, 4, 30), **kwargs)
    with translation.override("en"), pytest.raises(DomainError) as exc:
        drawdown_request(needed_on=date(2027, 5, 3), today=date(2027, 5, 1), **kwargs)
    with translation.override("en"):
        assert messages(exc) == [
            "No funds can be requested while the interim proof for 2026 is overdue: it was due on 04/30/2027."
        ]
    interim = two_years.proofs.get(kind="interim")
    proof_update(proof=interim, by=carrier, narrative="Zwischenbericht")
    lines = [
        StatementEntry(plan_line=line, actual=line.amount)
        for line in interim.plan.lines.filter(budget_year=2026)
    ]
    proof_statement_replace(proof=interim, by=carrier, lines=lines)
    proof_submit(proof=interim, by=carrier)
    drawdown_request(needed_on=date(2027, 5, 3), today=date(2027, 5, 1), **kwargs)


# --- the carrier's part --------------------------------------------------------------------


def test_the_statement_needs_every_plan_line_and_allows_unplanned_expenditure(world, one_year):
    carrier, proof = world["carrier"], one_year.proofs.get()
    lines = plan_lines(proof)
    staff = lines["1 · Projektleitung (2026)"]
    proof_update(proof=proof, by=carrier, narrative="Bericht")
    proof_statement_replace(
        proof=proof,
        by=carrier,
        lines=[
            StatementEntry(plan_line=staff, actual=D("8000")),
            StatementEntry(category="travel", text="Fahrten", actual=D("300")),
        ],
    )
    with translation.override("en"), pytest.raises(DomainError) as exc:
        proof_submit(proof=proof, by=carrier)
    with translation.override("en"):
        assert messages(exc) == [
            "The statement has no actual amount for plan line “2 · Workshops (2026)”.",
            "The statement has no actual amount for plan line “E1 · Own funds (2026)”.",
            "Plan line “1 · Projektleitung (2026)”: the receipts add up to €0.00, but the statement shows €8,000.00.",
        ]
    assert proof.lines.get(plan_line=None).category == "travel"


def test_statement_lines_are_checked_all_at_once(world, one_year):
    carrier, proof = world["carrier"], one_year.proofs.get()
    staff = plan_lines(proof)["1 · Projektleitung (2026)"]
    with translation.override("en"), pytest.raises(DomainError) as exc:
        proof_statement_replace(
            proof=proof,
            by=carrier,
            lines=[
                StatementEntry(plan_line=staff, actual=D("-1")),
                StatementEntry(plan_line=staff, actual=D("1")),
                StatementEntry(category="catering", actual=D("5")),
                StatementEntry(cover_kind="grant", actual=D("5")),
            ],
        )
    with translation.override("en"):
        assert messages(exc) == [
            "Line “1 · Projektleitung (2026)”: the actual amount must be an amount in euros and cents of at least 0.",
            "Plan line “1 · Projektleitung (2026)” appears twice in the statement.",
            "Unknown cost category “catering”.",
            "Line “grant”: a cover line not in the plan must be own funds, third-party funds or income.",
        ]
    assert not proof.lines.exists()


def test_submitting_the_final_proof_puts_the_grant_under_review(world, one_year):
    carrier = world["carrier"]
    pay(world, one_year, carrier, "5000")
    proof = fill_final_proof(
        one_year.proofs.get(), carrier, actual={"Projektleitung": "8000", "Workshops": "2000"}, own="1000"
    )
    proof = proof_submit(proof=proof, by=carrier, comment="Anbei")
    assert (proof.state, proof.submitted_by) == ("submitted", carrier)
    assert Grant.objects.get(pk=one_year.pk).state == "proof_under_review"
    proof = proof_start_review(proof=proof, by=world["officer"])
    with pytest.raises(DomainError):
        proof_request_changes(proof=proof, by=world["officer"], comment=" ")
    proof = proof_request_changes(proof=proof, by=world["officer"], comment="Belege fehlen")
    assert proof.state == "changes_requested"
    assert Grant.objects.get(pk=one_year.pk).state == "proof_due"
    proof_update(proof=proof, by=carrier, narrative="Ergänzt")
    proof_submit(proof=proof, by=carrier)
    assert Grant.objects.get(pk=one_year.pk).state == "proof_under_review"


def test_a_submitted_proof_cannot_be_changed_by_the_carrier(world, one_year):
    carrier = world["carrier"]
    proof = fill_final_proof(
        one_year.proofs.get(), carrier, actual={"Projektleitung": "8000", "Workshops": "2000"}, own="1000"
    )
    proof_submit(proof=proof, by=carrier)
    with translation.override("en"), pytest.raises(DomainError) as exc:
        proof_update(proof=proof, by=carrier, narrative="Noch was")
    with translation.override("en"):
        assert messages(exc) == [
            "The proof of use can only be changed as a draft or after changes were requested (current state: “Submitted”)."
        ]
    with pytest.raises(DomainError):
        receipt_delete(receipt=proof.receipts.first(), by=carrier)


def test_receipts_are_checked_by_every_rule_at_once(world, one_year):
    carrier, proof = world["carrier"], one_year.proofs.get()
    staff = plan_lines(proof)["1 · Projektleitung (2026)"]
    receipt_add(
        proof=proof,
        by=carrier,
        number="R-1",
        paid_on=date(2026, 2, 1),
        counterparty="A",
        reason="B",
        amount=D("10"),
        plan_line=staff,
    )
    with translation.override("en"), pytest.raises(DomainError) as exc:
        receipt_add(
            proof=proof,
            by=carrier,
            number="R-1",
            paid_on=date(2027, 1, 1),
            counterparty=" ",
            reason="",
            amount=D("0"),
            plan_line=None,
        )
    with translation.override("en"):
        assert messages(exc) == [
            "Receipt number “R-1” is already in the receipt list.",
            "The date 01/01/2027 lies outside the approval period 01/01/2026–12/31/2026.",
            "The payee or payer is missing.",
            "The reason for payment is missing.",
            "The amount must be greater than zero.",
            "The plan line is missing.",
        ]
    receipt = proof.receipts.get()
    receipt = receipt_update(
        receipt=receipt,
        by=carrier,
        number="R-1",
        paid_on=date(2026, 2, 2),
        counterparty="A",
        reason="B",
        amount=D("12.50"),
        plan_line=staff,
    )
    assert (receipt.paid_on, receipt.amount) == (date(2026, 2, 2), D("12.50"))
    receipt_delete(receipt=receipt, by=carrier)
    assert not proof.receipts.exists()


def test_individual_help_names_a_case_pseudonym_and_every_other_line_its_payee(world):
    grant, carrier = approve_plan(
        world,
        expenditure=[
            ("individual_help", "Einzelfallhilfe", 2026, "6000"),
            ("staff", "Beratung", 2026, "4000"),
        ],
        own="1000",
        instalments={2026: "9000"},
        confidential_individual_support=True,
    )
    proof = grant.proofs.get()
    help_line = proof.plan.lines.get(text="Einzelfallhilfe")
    staff_line = proof.plan.lines.get(text="Beratung")
    values = {
        "proof": proof,
        "by": carrier,
        "paid_on": date(2026, 5, 1),
        "reason": "Umzug",
        "amount": D("250"),
    }
    with translation.override("en"):
        with pytest.raises(DomainError) as exc:
            receipt_add(number="R-1", counterparty="Max Mustermann", plan_line=help_line, **values)
        assert messages(exc) == [
            "Plan line “1 · Einzelfallhilfe (2026)” is individual help: instead of the person's name, give the case pseudonym in the form “Fall-<number>” (e.g. Fall-0042); “Max Mustermann” is not one."
        ]
        for pseudonym in ("Fall-0042", "fall 42"):
            with pytest.raises(DomainError) as exc:
                receipt_add(number="R-2", counterparty=pseudonym, plan_line=staff_line, **values)
            assert messages(exc) == [
                f"Plan line “2 · Beratung (2026)” is not individual help: name the payee or payer (e.g. the landlord or the employee), not a case pseudonym like “{pseudonym}”."
            ]
    assert not proof.receipts.exists()
    # The confidential grant's other lines name their payees (no more pseudonyms everywhere).
    assert (
        receipt_add(number="R-1", counterparty="Fall-0042", plan_line=help_line, **values).counterparty
        == "Fall-0042"
    )
    assert receipt_add(number="R-2", counterparty="Fallmann GmbH", plan_line=staff_line, **values).pk


def test_an_interim_proof_takes_only_lines_and_receipts_of_its_year(world, two_years):
    carrier, interim = world["carrier"], two_years.proofs.get(kind="interim")
    line_2027 = plan_lines(interim)["2 · Projektleitung (2027)"]
    with translation.override("en"), pytest.raises(DomainError) as exc:
        receipt_add(
            proof=interim,
            by=carrier,
            number="1",
            paid_on=date(2027, 2, 1),
            counterparty="A",
            reason="B",
            amount=D("1"),
            plan_line=line_2027,
        )
    with translation.override("en"):
        assert messages(exc) == [
            "The date 02/01/2027 does not lie in the budget year 2026 of this interim proof.",
            "Plan line “2 · Projektleitung (2027)” belongs to another budget year than this interim proof (2026).",
        ]


def test_the_narrative_file_must_be_a_real_pdf_docx_or_odt(world, one_year):
    carrier, proof = world["carrier"], one_year.proofs.get()
    with translation.override("en"), pytest.raises(DomainError) as exc:
        proof_narrative_upload(
            proof=proof, by=carrier, upload=SimpleUploadedFile("bericht.xlsx", b"PK\x03\x04")
        )
    with translation.override("en"):
        assert messages(exc) == [
            "The narrative report must be a PDF, DOCX or ODT file; “bericht.xlsx” is not."
        ]
    with pytest.raises(DomainError, match=r"does not match|passt nicht"):
        proof_narrative_upload(
            proof=proof, by=carrier, upload=SimpleUploadedFile("bericht.pdf", b"MZ\x90\x00")
        )
    proof = proof_narrative_upload(proof=proof, by=carrier, upload=SimpleUploadedFile("Sachbericht.pdf", PDF))
    assert proof.narrative_file_name == "Sachbericht.pdf"
    assert proof.narrative_file.read() == PDF


# --- roles ---------------------------------------------------------------------------------


def test_only_members_of_the_recipient_work_on_its_proof(world, one_year):
    proof = one_year.proofs.get()
    other_carrier = carrier_user(ApplicationFactory(office=world["sn"]).organisation)
    staff = plan_lines(proof)["1 · Projektleitung (2026)"]
    for user in (other_carrier, world["officer"]):
        with pytest.raises(AccessDenied):
            proof_update(proof=proof, by=user, narrative="x")
        with pytest.raises(AccessDenied):
            proof_statement_replace(proof=proof, by=user, lines=[])
        with pytest.raises(AccessDenied):
            receipt_add(
                proof=proof,
                by=user,
                number="1",
                paid_on=date(2026, 2, 1),
                counterparty="A",
                reason="B",
                amount=D("1"),
                plan_line=staff,
            )
        with pytest.raises(AccessDenied):
            proof_submit(proof=proof, by=user)


def test_only_case_officers_of_the_granting_office_review(world, one_year):
    carrier = world["carrier"]
    proof = fill_final_proof(
        one_year.proofs.get(), carrier, actual={"Projektleitung": "8000", "Workshops": "2000"}, own="1000"
    )
    proof = proof_submit(proof=proof, by=carrier)
    for user in (world["unrelated_officer"], world["finance"], world["approver"], carrier):
        with translation.override("en"), pytest.raises(AccessDenied) as exc:
            proof_start_review(proof=proof, by=user)
        with translation.override("en"):
            assert messages(exc) == ["Only a case officer of the granting office can review a proof of use."]
    proof = proof_start_review(proof=proof, by=world["officer"])
    for user in (world["unrelated_officer"], carrier):
        with pytest.raises(AccessDenied):
            proof_accept(proof=proof, by=user)
        with pytest.raises(AccessDenied):
            proof_request_changes(proof=proof, by=user, comment="Nein")
    assert ProofOfUse.objects.get(pk=proof.pk).state == "in_review"


def test_accepting_an_interim_proof_only_records_the_review(world, two_years):
    carrier, interim = world["carrier"], two_years.proofs.get(kind="interim")
    proof_update(proof=interim, by=carrier, narrative="Zwischenbericht")
    lines = [
        StatementEntry(plan_line=line, actual=line.amount)
        for line in interim.plan.lines.filter(budget_year=2026)
    ]
    proof_statement_replace(proof=interim, by=carrier, lines=lines)
    proof_submit(proof=interim, by=carrier)
    proof_start_review(proof=interim, by=world["officer"])
    interim = proof_accept(proof=interim, by=world["officer"])
    assert interim.state == "accepted" and interim.accepted_at is not None
    assert Grant.objects.get(pk=two_years.pk).state == "notified"
    assert not Settlement.objects.exists()
