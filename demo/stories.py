"""The five post-award stories of the demo, one function each (see ``_demo_postaward``).

The figures are chosen so that a person can check them by hand:

- *Stadtteilforum Leipziger Osten 2025* (deficit financing): the example of DOMAIN.md §4.1 —
  materials capped at 9,600.00, A = 59,600.00; own funds 3,000.00, third-party funds and
  income 5,000.00 (2,000.00 of it a donation not in the plan) → final grant 51,600.00; paid
  54,000.00 → reclaim 2,400.00 with interest from the last value date, 1,500.00 repaid.
- *Demokratiewerkstatt an Dresdner Oberschulen 2025* (share financing): A = 20,000.00 of a
  planned 20,000.00 → final grant 19,000.00; paid 15,000.00 → last payment 4,000.00.
- *Nachbarschaftsnetz Görlitz-Innenstadt 2025–2026*: late-use interest on 12,000.00 paid on
  03.03.2025, window ended 14.04.2025, used on 02.06.2025 → 91 days at 7.27 % = 217.50
  (DOMAIN.md §4.3); an approved amendment (plan version 2); the 2025 interim proof submitted.
- *Görlitzer Stadtgespräche 2025*: the final proof overdue, the money never reported as used.
- *Kinder- und Jugendbüro Dresden-Neustadt* (around today): drawdowns requested, certified and
  ordered (the payment run has something to pay), an amendment awaiting the approver.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from demo.awarded import EXIT_RECEIPTS, LAST_PAYMENT_RECEIPTS, NARRATIVES, RECLAIM_RECEIPTS_CSV
from demo.clock import dated
from demo.plan import narrative_pdf
from demo.postaward import (
    Story,
    StoryFunction,
    award,
    drawdown,
    final_by_period,
    final_by_waiver,
    period_over,
    post_notice,
    review,
    statement,
)
from grants.awards.services import proof as proofs
from grants.awards.services.amendment import (
    amendment_approve,
    amendment_create,
    amendment_lines_from_plan,
    amendment_propose,
    amendment_submit,
)
from grants.awards.services.proof.individual_help import case_sample_draw
from grants.awards.services.reclaim import late_use_interest_claim, repayment_book

D = Decimal


def settled_reclaim(story: Story) -> None:
    award(story, date(2024, 12, 9))
    post_notice(story, date(2024, 12, 10))
    final_by_period(story)
    drawdown(
        story,
        "20000",
        date(2025, 2, 3),
        purpose="Personal- und Honorarkosten Februar bis Mai",
        used_on=date(2025, 3, 10),
    )
    drawdown(
        story,
        "20000",
        date(2025, 6, 2),
        purpose="Personal- und Honorarkosten Juni bis August",
        used_on=date(2025, 7, 1),
    )
    drawdown(
        story,
        "14000",
        date(2025, 9, 1),
        purpose="Personal- und Sachkosten bis Jahresende",
        used_on=date(2025, 10, 1),
    )
    period_over(date(2026, 1, 1))
    proof, carrier = story.proof(), story.cast.carrier
    with dated(date(2026, 1, 26)):
        proofs.proof_update(proof=proof, by=carrier, narrative=NARRATIVES["settled_reclaim"])
        pdf = narrative_pdf(story.spec.project, NARRATIVES["settled_reclaim"])
        upload = SimpleUploadedFile("Sachbericht_2025.pdf", pdf, content_type="application/pdf")
        proofs.proof_narrative_upload(proof=proof, by=carrier, upload=upload)
        donation = proofs.StatementEntry(
            actual=D("2000"), cover_kind="income", text="Spende der Sparkasse Leipzig"
        )
        statement(
            proof,
            carrier,
            {
                ("staff", 2025): "38000",
                ("fees", 2025): "11500",
                ("material", 2025): "10000",
                ("travel", 2025): "500",
                ("own", 2025): "3000",
                ("third_party", 2025): "3000",
            },
            [donation],
        )
        report = proofs.receipts_import(
            proof=proof,
            by=carrier,
            content=RECLAIM_RECEIPTS_CSV.encode("utf-8"),
            file_name="Belegliste_2025.csv",
            dry_run=False,
        )
        assert report.ok, [row.messages for row in report.bad_rows]
        proofs.proof_submit(proof=proof, by=carrier, comment="Verwendungsnachweis 2025 mit Belegliste.")
    review(
        story,
        proof,
        date(2026, 2, 2),
        date(2026, 2, 16),
        "Sachkosten über der Toleranz von 20 % (Kappung auf 9.600,00 €); Spende als Einnahme berücksichtigt.",
    )
    reclaim = story.awarded.reclaims.get()
    with dated(date(2026, 3, 16)):
        repayment_book(
            reclaim=reclaim, amount=D("1500"), received_on=date(2026, 3, 16), by=story.cast.finance
        )


def settled_last_payment(story: Story) -> None:
    award(story, date(2025, 2, 10))
    post_notice(story, date(2025, 2, 11))
    final_by_waiver(story, date(2025, 2, 14))
    drawdown(
        story,
        "8000",
        date(2025, 3, 3),
        purpose="Honorare Projekttage März bis Juni",
        used_on=date(2025, 4, 20),
    )
    drawdown(
        story,
        "7000",
        date(2025, 7, 1),
        purpose="Honorare und Material ab September",
        used_on=date(2025, 8, 15),
    )
    period_over(date(2025, 12, 1))
    proof, carrier = story.proof(), story.cast.carrier
    lines = {line.text: line for line in proof.plan.lines.filter(side="expenditure")}
    with dated(date(2026, 1, 19)):
        proofs.proof_update(proof=proof, by=carrier, narrative=NARRATIVES["settled_last_payment"])
        statement(
            proof,
            carrier,
            {
                ("fees", 2025): "12400",
                ("material", 2025): "3800",
                ("public_relations", 2025): "3900",
                ("own", 2025): "1000",
            },
            [],
        )
        for number, paid_on, payee, reason, amount, text in LAST_PAYMENT_RECEIPTS:
            line = next(line for t, line in lines.items() if t.startswith(text))
            proofs.receipt_add(
                proof=proof,
                by=carrier,
                number=number,
                paid_on=paid_on,
                counterparty=payee,
                reason=reason,
                amount=D(amount),
                plan_line=line,
            )
        proofs.proof_submit(proof=proof, by=carrier, comment="Verwendungsnachweis mit Belegliste.")
    review(
        story, proof, date(2026, 1, 26), date(2026, 2, 23), "Nachweis vollständig; Restzahlung angewiesen."
    )
    last = story.awarded.drawdowns.get(state="certified")
    from grants.awards.payments.services.drawdown import drawdown_book_payment, drawdown_order

    with dated(date(2026, 2, 24), hour=14):
        last = drawdown_order(drawdown=last, by=story.cast.finance, comment="Restzahlung nach Abrechnung.")
    with dated(date(2026, 2, 26), hour=15):
        drawdown_book_payment(drawdown=last, by=story.cast.finance, paid_on=date(2026, 2, 26))


def running_two_years(story: Story) -> None:
    award(story, date(2024, 12, 16))
    post_notice(story, date(2024, 12, 17))
    final_by_period(story)
    late = drawdown(
        story,
        "12000",
        date(2025, 2, 24),
        purpose="Personalkosten März bis Mai",
        paid_on=date(2025, 3, 3),
        used_on=date(2025, 6, 2),
    )
    drawdown(
        story,
        "14000",
        date(2025, 6, 30),
        purpose="Personal- und Honorarkosten Juli bis Oktober",
        used_on=date(2025, 7, 25),
    )
    with dated(date(2025, 7, 15)):
        late_use_interest_claim(drawdown=late, by=story.cast.officer, decided_on=date(2025, 7, 15))
    _approved_amendment(story)
    drawdown(
        story,
        "18000",
        date(2026, 2, 2),
        purpose="Personalkosten Februar bis Juni 2026",
        used_on=date(2026, 2, 27),
    )
    proof, carrier = story.proof(2025), story.cast.carrier
    with dated(date(2026, 3, 23)):
        proofs.proof_update(proof=proof, by=carrier, narrative=NARRATIVES["running_two_years"])
        statement(
            proof,
            carrier,
            {
                ("staff", 2025): "29500",
                ("fees", 2025): "6200",
                ("material", 2025): "3900",
                ("own", 2025): "2000",
                ("third_party", 2025): "2000",
            },
            [],
        )
        proofs.proof_submit(proof=proof, by=carrier, comment="Zwischennachweis 2025.")


def _approved_amendment(story: Story) -> None:
    grant, cast = story.awarded, story.cast
    lines, instalments = amendment_lines_from_plan(grant)
    changed: dict[tuple[Any, int], Decimal] = {("fees", 2026): D("9000"), ("staff", 2026): D("28000")}
    for line in lines:
        key = (line.get("category"), line["budget_year"])
        line["amount"] = changed.get(key, line["amount"])
    with dated(date(2025, 10, 6)):
        amendment = amendment_create(
            grant=grant,
            by=cast.carrier,
            reason="Zusätzliche Honorare für die Moderation der Bürgerforen 2026; die Fachkraftstelle wird 2026 auf 0,7 VZÄ reduziert.",
            lines=lines,
            instalments=instalments,
        )
    with dated(date(2025, 10, 7)):
        amendment = amendment_submit(amendment=amendment, by=cast.carrier, today=date(2025, 10, 7))
    with dated(date(2025, 10, 9)):
        amendment = amendment_propose(
            amendment=amendment, by=cast.officer, comment="Umschichtung schlüssig begründet."
        )
    with dated(date(2025, 10, 14)):
        amendment_approve(amendment=amendment, by=cast.approver, comment="Änderungsbescheid wird erstellt.")
    grant.refresh_from_db()


def proof_overdue(story: Story) -> None:
    award(story, date(2025, 3, 3))
    post_notice(story, date(2025, 3, 4))
    final_by_period(story)
    drawdown(story, "6000", date(2025, 4, 14), purpose="Honorare und Raummiete der Gesprächsabende")
    period_over(date(2025, 11, 1))
    with dated(date(2026, 4, 20)):
        proofs.proof_update(proof=story.proof(), by=story.cast.carrier, narrative=NARRATIVES["proof_overdue"])


def current(story: Story) -> None:
    """Around today: every date is relative to the day the seed runs."""
    today = story.today
    start = story.spec.project.period[0]
    award(story, start - timedelta(days=24))
    post_notice(story, start - timedelta(days=23))
    final_by_waiver(story, start - timedelta(days=20))
    drawdown(
        story,
        "8000",
        today - timedelta(days=40),
        purpose="Personalkosten der ersten Monate",
        paid_on=today - timedelta(days=38),
        used_on=today - timedelta(days=30),
    )
    drawdown(story, "4500", today - timedelta(days=6), purpose="Honorare Jugendkonferenz", stop="ordered")
    drawdown(
        story,
        "5000",
        today - timedelta(days=3),
        purpose="Personalkosten des nächsten Monats",
        stop="certified",
    )
    drawdown(
        story,
        "6500",
        today - timedelta(days=1),
        purpose="Veranstaltungstechnik und Honorare",
        stop="requested",
        needed_in=10,
    )
    _pending_amendment(story)


def _pending_amendment(story: Story) -> None:
    grant, cast, today = story.awarded, story.cast, story.today
    year = story.spec.project.period[1].year
    lines, instalments = amendment_lines_from_plan(grant)
    changed: dict[tuple[Any, int], Decimal] = {("fees", year): D("7500"), ("material", year): D("500")}
    for line in lines:
        line["amount"] = changed.get((line.get("category"), line["budget_year"]), line["amount"])
    with dated(today - timedelta(days=9)):
        amendment = amendment_create(
            grant=grant,
            by=cast.carrier,
            reason=f"Eine zusätzliche Jugendkonferenz {year}; die Veranstaltungstechnik stellt die Stadt kostenfrei.",
            lines=lines,
            instalments=instalments,
        )
    with dated(today - timedelta(days=8)):
        amendment = amendment_submit(amendment=amendment, by=cast.carrier, today=today - timedelta(days=8))
    with dated(today - timedelta(days=6)):
        amendment_propose(
            amendment=amendment,
            by=cast.officer,
            comment="Umschichtung innerhalb des Jahres, Gesamtbetrag unverändert.",
        )


def exit_individual_help(story: Story) -> None:
    """An exit programme: early start permitted, the final proof's individual help under case
    pseudonyms, and the auditor's sample of cases for the on-site check."""
    award(
        story,
        date(2025, 3, 3),
        early_start="Der Mietvertrag für die Beratungsstelle muss im Februar unterschrieben werden; sonst geht der Raum verloren.",
    )
    post_notice(story, date(2025, 3, 4))
    final_by_waiver(story, date(2025, 3, 6))
    period_over(date(2026, 1, 1))
    proof, carrier = story.proof(), story.cast.carrier
    lines = {line.category: line for line in proof.plan.lines.filter(side="expenditure")}
    with dated(date(2026, 2, 9)):
        proofs.proof_update(proof=proof, by=carrier, narrative=NARRATIVES["exit_individual_help"])
        statement(
            proof,
            carrier,
            {
                ("staff", 2025): "47000",
                ("material", 2025): "8800",
                ("individual_help", 2025): "10750",
                ("own", 2025): "3480",
            },
            [],
        )
        for number, paid_on, payee, reason, amount, category in EXIT_RECEIPTS:
            proofs.receipt_add(
                proof=proof,
                by=carrier,
                number=number,
                paid_on=paid_on,
                counterparty=payee,
                reason=reason,
                amount=D(amount),
                plan_line=lines[category],
            )
        proofs.proof_submit(proof=proof, by=carrier, comment="Verwendungsnachweis 2025 mit Belegliste.")
    auditor = User.objects.get(username="pruefung")
    with dated(date(2026, 3, 2)):
        case_sample_draw(proof=proof, by=auditor, size=3, seed=20260302)


STORIES: dict[str, StoryFunction] = {
    "settled_reclaim": settled_reclaim,
    "settled_last_payment": settled_last_payment,
    "running_two_years": running_two_years,
    "proof_overdue": proof_overdue,
    "current": current,
    "exit_individual_help": exit_individual_help,
}
