"""Financing plans and concept documents for the demo applications.

A plan is built from the grant requested per year and the co-financing percentage, so it
balances and keeps the programme's funding-rate, own-share and per-year limits by
construction; the submission service checks it again like any other plan.
"""

from __future__ import annotations

import io
import random
import textwrap
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from budgets.models import FundingProgramme
from demo.projects import Project
from grants.carriers.models import Organisation

HUNDRED = Decimal(100)
# Staff costs rise from one budget year to the next (pay rounds).
YEARLY_INCREASE = Decimal("0.03")

# Category → (weight in percent of the expenditure, descriptions to choose from).
LINES: dict[str, tuple[int, list[str]]] = {
    "staff": (
        56,
        [
            "Projektkoordination (0,75 VZÄ, EG 10 TVöD)",
            "Projektleitung (0,5 VZÄ, EG 11 TVöD)",
            "Pädagogische Fachkraft (0,75 VZÄ, EG S 12 TVöD SuE)",
            "Bildungsreferent/in (1,0 VZÄ, EG 11 TV-L)",
        ],
    ),
    "fees": (
        15,
        [
            "Honorare Workshopleitung (60 € je Stunde)",
            "Honorare Referentinnen und Referenten für Fachtage",
            "Honorar Moderation und Prozessbegleitung",
            "Honorare Trainerinnen und Trainer",
        ],
    ),
    "material": (
        9,
        [
            "Arbeitsmaterial und Verbrauchsmittel",
            "Raummiete für Veranstaltungen",
            "Verpflegung bei Beteiligungsveranstaltungen",
            "Miete Veranstaltungstechnik",
        ],
    ),
    "travel": (4, ["Fahrtkosten nach Landesreisekostengesetz", "Fahrtkosten Teilnehmende (ÖPNV-Tickets)"]),
    "public_relations": (
        8,
        ["Flyer, Plakate und Website", "Dokumentation und Social Media", "Broschüre und Pressearbeit"],
    ),
    "admin_flat_rate": (8, ["Verwaltungskostenpauschale"]),
}

OWN_SOURCES = {
    "municipality": "Haushaltsmittel der Stadt",
    "church": "Haushaltsmittel und Kollekten der Gemeinde",
}
INCOME_SOURCES = ("Teilnahmebeiträge",)


def _euros(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(Decimal(1), rounding=rounding)


def _grant_for_year(project: Project, programme: FundingProgramme, index: int) -> Decimal:
    grant = Decimal(project.grant) * (1 + YEARLY_INCREASE * index)
    grant = _euros(grant / 100, ROUND_FLOOR) * 100
    if programme.max_grant_per_year is not None:
        grant = min(grant, programme.max_grant_per_year)
    return grant


def _expenditure(total: Decimal, year: int, programme: FundingProgramme, rng: random.Random) -> list[dict]:
    allowed = [c for c in LINES if c in (programme.allowed_cost_categories or [])]
    weights = {
        c: Decimal(LINES[c][0]) * Decimal(rng.uniform(0.8, 1.2)).quantize(Decimal("0.01")) for c in allowed
    }
    weight_sum = sum(weights.values(), Decimal(0))
    lines: list[dict] = []
    rest = total
    for position, category in enumerate(allowed):
        last = position == len(allowed) - 1
        amount = rest if last else _euros(total * weights[category] / weight_sum, ROUND_FLOOR)
        rest -= amount
        lines.append(
            {
                "category": category,
                "description": rng.choice(LINES[category][1]),
                "budget_year": year,
                "amount": amount,
            }
        )
    return lines


def build_plan(
    project: Project, programme: FundingProgramme, organisation: Organisation
) -> tuple[list[dict], list[dict]]:
    """(expenditure, cover) line dicts for ``financing_plan_replace``."""
    rng = random.Random(f"2026:{project.title}")
    cofin = max(Decimal(project.cofin), programme.min_own_share, HUNDRED - programme.max_funding_rate)
    start, end = project.period
    expenditure: list[dict] = []
    cover: list[dict] = []
    for index, year in enumerate(range(start.year, end.year + 1)):
        grant = _grant_for_year(project, programme, index)
        total = _euros(grant * HUNDRED / (HUNDRED - cofin) / 10, ROUND_CEILING) * 10
        co_financing = total - grant
        third = _euros(co_financing * project.third)
        own = co_financing - third
        if not programme.third_party_counts_as_own_share:
            own = max(own, _euros(total * programme.min_own_share / HUNDRED, ROUND_CEILING))
            third = co_financing - own
        expenditure += _expenditure(total, year, programme, rng)
        own_source = OWN_SOURCES.get(organisation.legal_form, "Eigenmittel (Mitgliedsbeiträge, Spenden)")
        cover.append({"kind": "own", "source": own_source, "budget_year": year, "amount": own})
        if third:
            kind = "income" if project.third_source in INCOME_SOURCES else "third_party"
            cover.append({"kind": kind, "source": project.third_source, "budget_year": year, "amount": third})
        cover.append({"kind": "grant", "source": programme.name[:200], "budget_year": year, "amount": grant})
    return expenditure, cover


def concept_pdf(project: Project, *, heading: str = "Projektkonzept", extra: str = "") -> bytes:
    """A one-page PDF with the project's concept, as a carrier would upload it."""
    buffer = io.BytesIO()
    pdf: Any = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(f"{heading}: {project.title}")
    y = 800
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(60, y, heading)
    y -= 24
    pdf.setFont("Helvetica-Bold", 11)
    for line in textwrap.wrap(project.title, 85):
        pdf.drawString(60, y, line)
        y -= 16
    pdf.setFont("Helvetica", 10)
    sections = [
        ("Träger", project.carrier_name),
        ("Kurzbeschreibung", project.summary),
        ("Ziele", project.goals),
        ("Zielgruppen", project.target_groups),
        ("Region", project.region),
    ]
    if extra:
        sections.append(("Nachreichung", extra))
    for label, text in sections:
        y -= 10
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(60, y, label)
        y -= 14
        pdf.setFont("Helvetica", 10)
        for line in textwrap.wrap(text, 95):
            pdf.drawString(60, y, line)
            y -= 13
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def narrative_pdf(project: Project, text: str) -> bytes:
    """The narrative report (Sachbericht) of a proof of use as a one-page PDF."""
    buffer = io.BytesIO()
    pdf: Any = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(f"Sachbericht: {project.title}")
    y = 800
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(60, y, "Sachbericht")
    y -= 24
    pdf.setFont("Helvetica-Bold", 11)
    for line in [*textwrap.wrap(project.title, 85), project.carrier_name]:
        pdf.drawString(60, y, line)
        y -= 16
    pdf.setFont("Helvetica", 10)
    y -= 10
    for line in textwrap.wrap(text, 95):
        pdf.drawString(60, y, line)
        y -= 13
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
