"""Minutes of a committee session or circulation vote (Protokoll, DOMAIN.md §7).

Per item: the application, its carrier, fund and amount requested, who was recused and why
("nahm wegen Befangenheit nicht an Beratung und Abstimmung teil"), the votes (yes / no /
abstention, a deputy named where one voted), the eligible members and the result. German only,
like every official document of the service.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from grants.chain.services.committee import item_tallies
from reporting.documents.layout import TEXT_WIDTH, Letter, Styles, ddate, esc, eur, render_letter
from reporting.documents.tables import Row, facts_table, figures_table

PROCEDURE_DE = {"session": "Sitzung", "circulation": "Umlaufverfahren"}
OUTCOME_DE = {
    "adopted": "angenommen (Förderempfehlung)",
    "rejected": "abgelehnt",
    "not_quorate": "nicht beschlussfähig",
}
CHOICE_DE = {"yes": "Ja", "no": "Nein", "abstain": "Enthaltung"}
REASON_DE = {"applies": "Organisation ist Antragstellerin", "declared": "Befangenheit erklärt"}


def render_committee_minutes(*, session: Any, items: list[Any] | None = None) -> bytes:
    """The minutes as PDF bytes; writes nothing. ``items``: the session's tallies in agenda
    order (``grants.chain.services.committee.item_tallies``), read here when not given."""
    if items is None:
        items = item_tallies(session)
    committee = session.committee
    procedure = PROCEDURE_DE.get(session.procedure, session.procedure)
    dated = timezone.localdate(session.closed_at) if session.closed_at else timezone.localdate()
    letter = Letter(
        office=committee.office,
        recipient=[committee.name, committee.office.name],
        info=[
            ("Gremium", committee.name),
            ("Verfahren", procedure),
            ("Datum", ddate(session.held_on)),
            *([("Stimmabgabe bis", ddate(session.deadline))] if session.deadline else []),
        ],
        reference=f"{committee.office.code}-G{committee.pk}-{session.pk}",
        reference_label="Protokoll",
        dated=dated,
        title="Protokoll",
        subject=f"Protokoll {committee.name}, {procedure} vom {ddate(session.held_on)}",
        keywords=[committee.name, "Protokoll", "Kleinprojekte"],
    )
    return render_letter(letter, lambda: _story(session, items, procedure))


def _story(session: Any, items: list[Any], procedure: str) -> list[Any]:
    committee = session.committee
    members = list(committee.members.filter(active=True).order_by("role", "name"))
    voting = [m for m in members if m.is_voting]
    story: list[Any] = [
        Paragraph(f"Protokoll: {esc(committee.name)}", Styles.title),
        Paragraph(f"{procedure} vom {ddate(session.held_on)}", Styles.subject),
        facts_table(
            [
                ("Stelle", esc(committee.office.name)),
                ("Stimmberechtigte Mitglieder", str(len(voting))),
                ("Beschlussfähigkeit", _quorum_text(session)),
                ("Tagesordnungspunkte", str(len(items))),
            ]
        ),
        Paragraph("Mitglieder", Styles.heading),
        Paragraph(
            "; ".join(
                esc(m.name)
                + (f" ({esc(m.organisation.name)})" if m.organisation_id else "")
                + (f", Stellvertretung für {esc(m.deputy_for.name)}" if m.deputy_for_id else "")
                for m in members
            )
            or "–",
            Styles.body,
        ),
        Paragraph(f"Abgestimmt haben: {_voters(items)}", Styles.body),
    ]
    for t in items:
        item = t.item
        application = item.application
        story.append(
            Paragraph(
                f"TOP {item.position}: {esc(application.reference)} – {esc(application.title)}",
                Styles.heading,
            )
        )
        story.append(
            facts_table(
                [
                    ("Antragstellerin", esc(application.organisation.name)),
                    ("Fonds", esc(application.fund.name) if application.fund_id else "–"),
                    ("Beantragt", eur(t.requested)),
                ]
            )
        )
        for recusal in t.recusals:
            reason = REASON_DE.get(recusal.reason, recusal.reason)
            note = f": {esc(recusal.note)}" if recusal.note else ""
            story.append(
                Paragraph(
                    f"{esc(recusal.member.name)} nahm wegen Befangenheit ({reason}{note}) nicht an Beratung "
                    "und Abstimmung teil.",
                    Styles.body,
                )
            )
        votes = sorted(item.votes.all(), key=lambda v: v.member.name)
        if votes:
            story.append(
                Paragraph(
                    "Stimmen: "
                    + "; ".join(
                        f"{esc(v.member.name)}"
                        + (f" (vertreten durch {esc(v.cast_by_deputy.name)})" if v.cast_by_deputy_id else "")
                        + f": {CHOICE_DE.get(v.choice, v.choice)}"
                        for v in votes
                    ),
                    Styles.small,
                )
            )
        outcome = item.outcome or t.outcome
        rows = [
            Row([str(t.yes), str(t.no), str(t.abstain), str(t.eligible), OUTCOME_DE.get(outcome, outcome)])
        ]
        widths = [22 * mm, 22 * mm, 26 * mm, 34 * mm]
        story.append(
            figures_table(
                ["Ja", "Nein", "Enthaltung", "Stimmberechtigt", "Ergebnis"],
                rows,
                [*widths, TEXT_WIDTH - sum(widths)],
                numeric_from=0,
            )
        )
    story.append(
        Paragraph(
            "Eine angenommene Förderempfehlung ist Grundlage der Entscheidung der federführenden Stelle, "
            "die im Vier-Augen-Prinzip bewilligt; sie begründet keinen Anspruch auf Förderung.",
            Styles.small,
        )
    )
    return story


def _quorum_text(session: Any) -> str:
    if session.is_circulation:
        return "Umlaufverfahren: angenommen, wenn mehr als die Hälfte aller stimmberechtigten Mitglieder zustimmt"
    share = session.committee.quorum * 100
    return f"mehr als {share.normalize():f} % der stimmberechtigten Mitglieder stimmen ab".replace(".", ",")


def _voters(items: list[Any]) -> str:
    """Everyone who cast a vote on some item, a deputy with the seat it stood in for."""
    names = set()
    for t in items:
        for v in t.item.votes.all():
            if v.cast_by_deputy_id:
                names.add(f"{esc(v.cast_by_deputy.name)} (für {esc(v.member.name)})")
            else:
                names.add(esc(v.member.name))
    return "; ".join(sorted(names)) or "niemand"
