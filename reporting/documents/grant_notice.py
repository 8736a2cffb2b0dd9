"""The grant notice (Zuwendungsbescheid) of an approved grant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from grants.calculations import final_report_due, interim_report_due
from reporting.documents.blocks import (
    COST_CATEGORY_DE,
    COVER_KIND_DE,
    FINANCING_TYPE_DE,
    closing,
    label,
    legal_remedies,
    recipient_lines,
)
from reporting.documents.funders import funders_block
from reporting.documents.layout import (
    TEXT_WIDTH,
    Letter,
    Styles,
    ddate,
    esc,
    eur,
    iban,
    number,
    numbered,
    percent,
    period,
    render_letter,
)
from reporting.documents.tables import Row, amounts_table, facts_table

TITLE = "Zuwendungsbescheid"


def render_grant_notice(*, grant: Any) -> bytes:
    """The notice as PDF bytes; reads the grant and its frozen rows, writes nothing."""
    application = grant.application
    office = grant.office
    dated = timezone.localdate(grant.approved_at)
    applied_on = timezone.localdate(application.submitted_at) if application.submitted_at else None
    plan = grant.plan_versions.filter(version=1).prefetch_related("lines").first()
    lines = list(plan.lines.all()) if plan else []
    instalments = list(grant.instalments.all())
    project = esc(grant.title)

    letter = Letter(
        office=office,
        recipient=recipient_lines(grant.organisation),
        info=[
            ("Aktenzeichen", grant.file_number),
            ("Antragsnummer", application.reference),
            ("Ihr Antrag vom", ddate(applied_on)),
            ("E-Mail", office.email or "–"),
            ("Datum", ddate(dated)),
        ],
        reference=grant.file_number,
        dated=dated,
        title=TITLE,
        subject=f"Zuwendung für das Projekt „{grant.title}“",
        keywords=[grant.file_number, application.reference],
    )
    return render_letter(
        letter,
        lambda: [
            Paragraph(TITLE, Styles.title),
            Paragraph(
                f"Zuwendung aus dem Programm „{esc(grant.programme.name)}“ für das Projekt „{project}“",
                Styles.subject,
            ),
            Paragraph(
                f"Ihr Antrag vom {ddate(applied_on)}, Antragsnummer {esc(application.reference)}",
                Styles.reference,
            ),
            Paragraph("Sehr geehrte Damen und Herren,", Styles.body),
            Paragraph(
                f"auf Ihren Antrag vom {ddate(applied_on)} bewillige ich Ihnen für die Durchführung des Projekts "
                f"„{project}“ eine Zuwendung in Höhe von bis zu <b>{eur(grant.granted_amount)}</b> "
                f"als Projektförderung im Wege der {label(FINANCING_TYPE_DE, grant, 'financing_type')}.",
                Styles.body,
            ),
            Paragraph("1. Gegenstand und Umfang der Bewilligung", Styles.heading),
            _facts(grant),
            Paragraph(financing_sentence(grant), Styles.body),
            Paragraph("2. Jahresraten", Styles.heading),
            Paragraph("Die Zuwendung verteilt sich wie folgt auf die Haushaltsjahre:", Styles.body),
            _instalments(instalments),
            *funders_block(
                grant.file_number,
                [(str(i.budget_year), i.amount) for i in instalments],
                intro="Die Zuwendung wird von mehreren Mittelgebern in festen Anteilen finanziert "
                "(Kofinanzierung). Jede Jahresrate und jeder weitere Betrag – Auszahlungen, Abrechnung, "
                "Rückforderungen, Rückzahlungen und Zinsen – verteilt sich in diesem Verhältnis:",
                total_column=len(instalments) > 1,
            ),
            Paragraph("3. Finanzierungsplan", Styles.heading),
            Paragraph(
                "Der folgende Finanzierungsplan ist Bestandteil dieses Bescheids. Er ist hinsichtlich des "
                "Gesamtergebnisses verbindlich.",
                Styles.body,
            ),
            *_plan(grant, lines),
            Paragraph("4. Nebenbestimmungen", Styles.heading),
            Paragraph(
                "Die Allgemeinen Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P) sind "
                "Bestandteil dieses Bescheids. Insbesondere gilt:",
                Styles.body,
            ),
            *numbered(_conditions(grant)),
            *legal_remedies(office),
            closing(grant.approved_by, office),
            Paragraph(
                "Anlage: Allgemeine Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P)",
                Styles.small,
            ),
        ],
    )


def _facts(grant: Any) -> Flowable:
    organisation = grant.organisation
    recipient = "<br/>".join(
        esc(line) for line in recipient_lines(organisation) if line != organisation.contact_person
    )
    purpose = "<br/><br/>".join(
        esc(p) for p in grant.purpose.replace("\r\n", "\n").split("\n\n") if p.strip()
    )
    rows: list[tuple[str, Any]] = [
        ("Zuwendungsempfänger", recipient),
        ("Projekt", esc(grant.title)),
        ("Zuwendungszweck", purpose or esc(grant.title)),
        ("Förderprogramm", esc(grant.programme.name)),
        ("Bewilligungszeitraum", period(grant.period_start, grant.period_end)),
        ("Finanzierungsart", f"{label(FINANCING_TYPE_DE, grant, 'financing_type')} (Projektförderung)"),
        ("Zuwendungsfähige Ausgaben", eur(grant.planned_expenditure)),
        ("Höchstbetrag der Zuwendung", f"<b>{eur(grant.granted_amount)}</b>"),
    ]
    if grant.funding_share is not None:
        rows.append(
            ("Anteil der Zuwendung", f"{percent(grant.funding_share)} der zuwendungsfähigen Ausgaben")
        )
    if organisation.iban:
        rows.append(("Bankverbindung", f"IBAN {iban(organisation.iban)}"))
    return facts_table(rows)


def financing_sentence(grant: Any, *, whose: str = "Ihrer") -> str:
    """How the grant finances the project; ``whose`` own money (``seiner`` in a contract that
    speaks of the last recipient in the third person). The forwarding documents share it."""
    maximum = eur(grant.granted_amount)
    share = percent(grant.funding_share)
    if grant.financing_type == "share":
        return (
            f"Die Zuwendung wird als Anteilfinanzierung in Höhe von {share} der zuwendungsfähigen Ausgaben "
            f"gewährt, höchstens {maximum}."
        )
    if grant.financing_type == "deficit":
        return (
            f"Die Zuwendung deckt als Fehlbedarfsfinanzierung den Betrag, der nach Einsatz {whose} Eigenmittel, "
            f"Drittmittel und Einnahmen verbleibt, höchstens {maximum} (bei Bewilligung {share} der "
            "zuwendungsfähigen Ausgaben)."
        )
    if grant.financing_type == "fixed":
        return f"Die Zuwendung wird als Festbetrag in Höhe von {maximum} gewährt."
    return (
        "Die Zuwendung deckt als Vollfinanzierung die zuwendungsfähigen Ausgaben abzüglich etwaiger "
        f"Drittmittel und Einnahmen, höchstens {maximum}."
    )


def _instalments(instalments: Sequence[Any]) -> Flowable:
    rows = [Row([str(i.budget_year), eur(i.amount)]) for i in instalments]
    rows.append(Row(["Summe", eur(sum((i.amount for i in instalments), Decimal(0)))], kind="total"))
    return amounts_table(["Haushaltsjahr", "Jahresrate"], rows, [50 * mm, 40 * mm])


def _plan_rows(lines: Sequence[Any], labels: dict[str, str], key: str, total_label: str) -> list[Row]:
    """Lines grouped by category (or cover kind) in the order of ``labels``, with sums."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for line in lines:
        groups[getattr(line, key)].append(line)
    order = [k for k in labels if k in groups] + sorted(set(groups) - set(labels))
    rows: list[Row] = []
    for value in order:
        group = groups[value]
        name = label(labels, group[0], key)
        for i, line in enumerate(group):
            rows.append(
                Row([name if i == 0 else "", esc(line.text) or "–", str(line.budget_year), eur(line.amount)])
            )
        if len(group) > 1:
            rows.append(
                Row(
                    ["", f"Summe {name}", "", eur(sum((line.amount for line in group), Decimal(0)))],
                    "subtotal",
                )
            )
    rows.append(
        Row([total_label, "", "", eur(sum((line.amount for line in lines), Decimal(0)))], kind="total")
    )
    return rows


def _plan(grant: Any, lines: Sequence[Any]) -> list[Flowable]:
    widths = [42 * mm, TEXT_WIDTH - 42 * mm - 28 * mm - 30 * mm, 28 * mm, 30 * mm]
    expenditure = [line for line in lines if line.side == "expenditure"]
    cover = [line for line in lines if line.side == "cover"]
    planned_grant = sum((line.amount for line in cover if line.cover_kind == "grant"), Decimal(0))
    flowables: list[Flowable] = [
        Paragraph("Ausgaben", Styles.subheading),
        amounts_table(
            ["Ausgabeart", "Bezeichnung", "Haushaltsjahr", "Betrag"],
            _plan_rows(expenditure, COST_CATEGORY_DE, "category", "Summe der Ausgaben"),
            widths,
        ),
        Paragraph("Finanzierung", Styles.subheading),
        amounts_table(
            ["Finanzierungsart", "Herkunft", "Haushaltsjahr", "Betrag"],
            _plan_rows(cover, COVER_KIND_DE, "cover_kind", "Summe der Finanzierung"),
            widths,
        ),
    ]
    if planned_grant != grant.granted_amount:
        flowables.append(
            Paragraph(
                f"Abweichend von der im Finanzierungsplan beantragten Zuwendung von {eur(planned_grant)} wird "
                f"die Zuwendung auf höchstens {eur(grant.granted_amount)} festgesetzt; maßgeblich ist der "
                "Höchstbetrag nach Nr. 1.",
                Styles.body,
            )
        )
    return flowables


def drawdown_window(grant: Any) -> str:
    """The drawdown window as the conditions say it: „eines Monats“, „6 Wochen“."""
    value = grant.drawdown_window_value
    if grant.drawdown_window_unit == "months":
        return "eines Monats" if value == 1 else f"{value} Monaten"
    return "einer Woche" if value == 1 else f"{value} Wochen"


def _conditions(grant: Any) -> list[str]:
    interim_years = range(grant.period_start.year, grant.period_end.year)
    final_due = final_report_due(grant.period_end, months=grant.final_report_months)
    conditions = [
        f"Die Zuwendung darf nur insoweit und nicht eher angefordert werden, als sie innerhalb von {drawdown_window(grant)} "
        "nach der Auszahlung für fällige Zahlungen benötigt wird (Nr. 1.4 ANBest-P).",
    ]
    conditions.append(_early_start(grant))
    if grant.payout_requires_final_notice:
        conditions.append(
            "Die Zuwendung wird erst ausgezahlt, wenn dieser Bescheid bestandskräftig ist. Sie können die "
            "Bestandskraft vorzeitig herbeiführen, indem Sie auf die Einlegung eines Rechtsbehelfs verzichten."
        )
    for year in interim_years:
        due = interim_report_due(year, months=grant.interim_report_months)
        conditions.append(
            f"Für das Haushaltsjahr {year} ist bis zum {ddate(due)} ein Zwischennachweis vorzulegen "
            "(Nr. 6.1 ANBest-P)."
        )
    conditions += [
        f"Die Verwendung der Zuwendung ist bis zum <b>{ddate(final_due)}</b> nachzuweisen. Der "
        "Verwendungsnachweis besteht aus einem Sachbericht, einem zahlenmäßigen Nachweis und einer "
        "Belegliste (Nr. 6 ANBest-P).",
        "Sie sind verpflichtet, unverzüglich mitzuteilen, wenn Sie weitere Zuwendungen für denselben Zweck "
        "beantragen oder erhalten, wenn sich die Ausgaben ermäßigen oder die Finanzierung erhöht, oder wenn "
        "sich der Zuwendungszweck oder sonstige für die Bewilligung maßgebliche Umstände ändern oder wegfallen "
        "(Nr. 5 ANBest-P).",
        f"Einzelne Ausgabenansätze des Finanzierungsplans dürfen um bis zu {percent(grant.overrun_tolerance * 100)} "
        "überschritten werden, soweit die Überschreitung durch entsprechende Einsparungen bei anderen "
        "Ansätzen ausgeglichen wird (Nr. 1.2 ANBest-P).",
        "Soweit der Bescheid zurückgenommen oder widerrufen wird, ist die Zuwendung zu erstatten. Der "
        f"Erstattungsbetrag ist mit {number(grant.interest_margin_points)} Prozentpunkten über dem "
        "Basiszinssatz jährlich zu verzinsen (§ 49a VwVfG).",
    ]
    if grant.confidential_individual_support or grant.organisation.confidential:
        cap = grant.individual_help_cap
        conditions.append(
            "Bei Einzelfallhilfen (Ausgabenart Einzelfallhilfe) ist in der Belegliste an Stelle des Namens "
            "der unterstützten Person ein Fallpseudonym der Form „Fall-&lt;Nr.&gt;“ anzugeben; die Zuordnung "
            "verbleibt bei Ihnen. Alle übrigen Belege (z. B. Miete, Personalausgaben, Honorare) nennen den "
            "Zahlungsempfänger."
            + (
                f" Einzelfallhilfen sind je Fall und Kalenderjahr bis höchstens {eur(cap)} zuwendungsfähig."
                if cap
                else ""
            )
        )
    return conditions


# The standard caveat of a permission to start early (VV Nr. 1.3 zu § 44 BHO).
EARLY_START_CAVEAT = (
    "Die Zustimmung zum vorzeitigen Maßnahmebeginn begründet keinen Anspruch auf eine Förderung."
)


def _early_start(grant: Any) -> str:
    """Which costs are eligible in time (DOMAIN.md §9): from the permitted early start, else from
    the day of this notice."""
    if grant.early_start_from is not None:
        start = ddate(grant.early_start_from)
        return (
            f"Dem vorzeitigen Maßnahmebeginn ab dem <b>{start}</b> wurde zugestimmt. {EARLY_START_CAVEAT} "
            f"Ausgaben, die vor dem {start} entstanden sind, sind nicht zuwendungsfähig (Nr. 1.3 VV zu § 44 BHO)."
        )
    return (
        "Ausgaben, die vor dem Datum dieses Bescheids entstanden sind, sind nicht zuwendungsfähig; einem "
        "vorzeitigen Maßnahmebeginn wurde nicht zugestimmt (Nr. 1.3 VV zu § 44 BHO)."
    )
