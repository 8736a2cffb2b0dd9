"""The forwarding document of an approved micro-project (Nr. 12 VV zu § 44 BHO, DOMAIN §7).

A first recipient passes its grant on to a last recipient by forwarding notice
(Weiterleitungsbescheid) when it is a public-law body, by forwarding contract
(Weiterleitungsvertrag) when it is private. Either is issued by the first recipient, in its
name, and carries over the conditions of the first notice: the ANBest-P, the proof duties, the
audit rights of the granting authority and of the court of audit, reclaim and interest.

German only, like every notice (see ``reporting.documents.blocks``): the wording of an
administrative act or a contract must not change because a UI translation was edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from budgets.choices import GermanState
from grants.calculations import final_report_due, interim_report_due
from reporting.documents.blocks import FINANCING_TYPE_DE, closing, label, legal_remedies, recipient_lines
from reporting.documents.grant_notice import drawdown_window, financing_sentence
from reporting.documents.layout import (
    FONT,
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
from reporting.documents.tables import facts_table
from reporting.selectors import first_recipient_grant

NOTICE_TITLE = "Weiterleitungsbescheid"
CONTRACT_TITLE = "Weiterleitungsvertrag"
ANBEST_P = "Allgemeine Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P)"


def forwarding_title(first_recipient: Any) -> str:
    """A public-law first recipient issues a notice, a private one signs a contract."""
    return NOTICE_TITLE if first_recipient.is_public_body else CONTRACT_TITLE


@dataclass(frozen=True)
class Issuer:
    """The first recipient as the letterhead shows it: the legal body that issues the document
    in its own name, with the office it runs (a partnership for democracy, a democracy centre)."""

    name: str
    kind: str
    state: str
    street: str
    postcode: str
    city: str
    email: str


def issuer_of(first_recipient: Any, office: Any) -> Issuer:
    return Issuer(
        name=f"{first_recipient.name} – {office.name}",
        kind=office.kind,
        state=office.state,
        street=first_recipient.street or office.street,
        postcode=first_recipient.postcode or office.postcode,
        city=first_recipient.city or office.city,
        email=office.email or first_recipient.email,
    )


@dataclass(frozen=True)
class Chain:
    """What a forwarding document names besides the micro-project's own grant."""

    grant: Any  # the micro-project's grant
    first: Any  # the first recipient's grant, which finances the fund
    fund: Any
    issuer: Issuer
    contract: bool

    @property
    def first_recipient(self) -> Any:
        return self.first.organisation

    @property
    def authority(self) -> Any:
        """The granting authority of the first notice (Bewilligungsbehörde)."""
        return self.first.office

    @property
    def first_dated(self) -> date:
        return timezone.localdate(self.first.approved_at)

    @property
    def this(self) -> str:
        return "dieses Vertrags" if self.contract else "dieses Bescheids"

    @property
    def first_notice(self) -> str:
        return (
            f"Zuwendungsbescheid der Bewilligungsbehörde {esc(self.authority.name)} vom "
            f"{ddate(self.first_dated)} (Aktenzeichen {esc(self.first.file_number)})"
        )


def render_forwarding_document(*, grant: Any) -> bytes:
    """The micro-project's forwarding notice or contract as PDF bytes; reads, writes nothing."""
    first = first_recipient_grant(grant)
    if first is None:
        raise ValueError(f"{grant.file_number} is no micro-project with a financing grant.")
    chain = Chain(
        grant=grant,
        first=first,
        fund=grant.fund,
        issuer=issuer_of(first.organisation, grant.office),
        contract=not first.organisation.is_public_body,
    )
    application = grant.application
    dated = timezone.localdate(grant.approved_at)
    applied_on = timezone.localdate(application.submitted_at) if application.submitted_at else None
    title = CONTRACT_TITLE if chain.contract else NOTICE_TITLE
    letter = Letter(
        office=chain.issuer,
        recipient=recipient_lines(grant.organisation),
        info=[
            ("Aktenzeichen", grant.file_number),
            ("Erstzuwendung", first.file_number),
            ("Antragsnummer", application.reference),
            ("Ihr Antrag vom", ddate(applied_on)),
            ("Datum", ddate(dated)),
        ],
        reference=grant.file_number,
        dated=dated,
        title=title,
        subject=f"{title} für das Projekt „{grant.title}“ aus dem Fonds „{chain.fund.name}“",
        keywords=[grant.file_number, first.file_number, application.reference],
    )
    story = _contract if chain.contract else _notice
    return render_letter(letter, lambda: story(chain, applied_on))


# --- the two documents ------------------------------------------------------------------------


def _heading(chain: Chain, applied_on: date | None, title: str) -> list[Flowable]:
    grant = chain.grant
    return [
        Paragraph(title, Styles.title),
        Paragraph(
            f"Weiterleitung von Zuwendungsmitteln aus dem Fonds „{esc(chain.fund.name)}“ für das Projekt "
            f"„{esc(grant.title)}“",
            Styles.subject,
        ),
        Paragraph(
            f"Ihr Antrag vom {ddate(applied_on)}, Antragsnummer {esc(grant.application.reference)}; "
            f"Erstzuwendung Aktenzeichen {esc(chain.first.file_number)}",
            Styles.reference,
        ),
    ]


def _origin(chain: Chain) -> str:
    return (
        f"Die Mittel stammen aus der Zuwendung, die der Erstempfänger {esc(chain.first_recipient.name)} mit "
        f"dem {chain.first_notice} aus dem Programm „{esc(chain.first.programme.name)}“ erhalten hat. "
        "Sie werden nach Nr. 12 der Verwaltungsvorschriften zu § 44 BHO an den Letztempfänger weitergeleitet, "
        "wie es der Zuwendungsbescheid zulässt."
    )


def _notice(chain: Chain, applied_on: date | None) -> list[Flowable]:
    grant, issuer = chain.grant, chain.issuer
    return [
        *_heading(chain, applied_on, NOTICE_TITLE),
        Paragraph("Sehr geehrte Damen und Herren,", Styles.body),
        Paragraph(
            f"auf Ihren Antrag vom {ddate(applied_on)} bewillige ich Ihnen im Namen des Erstempfängers "
            f"{esc(chain.first_recipient.name)} aus dem "
            f"Fonds „{esc(chain.fund.name)}“ für die Durchführung des Projekts „{esc(grant.title)}“ eine "
            f"Zuwendung in Höhe von bis zu <b>{eur(grant.granted_amount)}</b> als Projektförderung im Wege der "
            f"{label(FINANCING_TYPE_DE, grant, 'financing_type')}.",
            Styles.body,
        ),
        Paragraph(_origin(chain), Styles.body),
        Paragraph("1. Gegenstand und Umfang der Weiterleitung", Styles.heading),
        _facts(chain),
        Paragraph(financing_sentence(grant), Styles.body),
        Paragraph("2. Bestimmungen des Erstbescheids und Nebenbestimmungen", Styles.heading),
        *numbered(_conditions(chain)),
        *legal_remedies(issuer),
        closing(grant.approved_by, issuer),
        Paragraph(f"Anlage: {ANBEST_P}", Styles.small),
    ]


def _contract(chain: Chain, applied_on: date | None) -> list[Flowable]:
    grant, first_recipient, last_recipient = chain.grant, chain.first_recipient, chain.grant.organisation
    parties = [
        Paragraph("zwischen", Styles.body),
        Paragraph(
            f"<b>{esc(first_recipient.name)}</b>, {esc(_address(first_recipient))}, handelnd durch "
            f"{esc(grant.office.name)}<br/>– im Folgenden „Erstempfänger“ –",
            Styles.item,
        ),
        Paragraph("und", Styles.body),
        Paragraph(
            f"<b>{esc(last_recipient.name)}</b>, {esc(_address(last_recipient))}"
            + (
                f", vertreten durch {esc(last_recipient.contact_person)}"
                if last_recipient.contact_person
                else ""
            )
            + "<br/>– im Folgenden „Letztempfänger“ –",
            Styles.item,
        ),
        Paragraph(
            "wird folgender Vertrag über die Weiterleitung von Zuwendungsmitteln geschlossen.", Styles.body
        ),
    ]
    return [
        *_heading(chain, applied_on, CONTRACT_TITLE),
        *parties,
        Paragraph("Vorbemerkung", Styles.heading),
        Paragraph(_origin(chain), Styles.body),
        Paragraph("§ 1 Gegenstand und Umfang der Weiterleitung", Styles.heading),
        Paragraph(
            f"Der Erstempfänger gewährt dem Letztempfänger auf dessen Antrag vom {ddate(applied_on)} aus dem Fonds "
            f"„{esc(chain.fund.name)}“ für die Durchführung des Projekts „{esc(grant.title)}“ eine Zuwendung in "
            f"Höhe von bis zu <b>{eur(grant.granted_amount)}</b> als Projektförderung im Wege der "
            f"{label(FINANCING_TYPE_DE, grant, 'financing_type')}.",
            Styles.body,
        ),
        _facts(chain),
        Paragraph(financing_sentence(grant, whose="seiner"), Styles.body),
        Paragraph("§ 2 Bestimmungen des Erstbescheids und Nebenbestimmungen", Styles.heading),
        *numbered(_conditions(chain)),
        Paragraph("§ 3 Schlussbestimmungen", Styles.heading),
        Paragraph(
            "Der Vertrag wird mit der Unterschrift beider Vertragsparteien wirksam. Änderungen und Ergänzungen "
            "bedürfen der Schriftform. Sollte eine Bestimmung unwirksam sein, bleibt der Vertrag im Übrigen "
            "wirksam; an die Stelle der unwirksamen Bestimmung tritt eine Regelung, die dem Zuwendungsrecht "
            "(§§ 23 und 44 BHO mit den Verwaltungsvorschriften) am nächsten kommt.",
            Styles.body,
        ),
        _signatures(chain),
        Paragraph(f"Anlage: {ANBEST_P}", Styles.small),
    ]


def _address(organisation: Any) -> str:
    return ", ".join(
        p for p in (organisation.street, f"{organisation.postcode} {organisation.city}".strip()) if p
    )


def _facts(chain: Chain) -> Flowable:
    grant = chain.grant
    organisation = grant.organisation
    recipient = "<br/>".join(
        esc(line) for line in recipient_lines(organisation) if line != organisation.contact_person
    )
    purpose = "<br/><br/>".join(
        esc(p) for p in grant.purpose.replace("\r\n", "\n").split("\n\n") if p.strip()
    )
    rows: list[tuple[str, Any]] = [
        ("Letztempfänger", recipient),
        ("Erstempfänger", esc(chain.first_recipient.name)),
        ("Projekt", esc(grant.title)),
        ("Zuwendungszweck", purpose or esc(grant.title)),
        ("Fonds", esc(chain.fund.name)),
        ("Erstzuwendung", chain.first_notice),
        ("Förderprogramm", esc(chain.first.programme.name)),
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


# --- the conditions carried over from the first notice ----------------------------------------


def simple_proof_allowed(grant: Any) -> bool:
    """The fund allows a simple proof of use up to its threshold (the rule of
    ``ProofOfUse.is_simple``: a threshold above 0 and the grant not above it)."""
    threshold = grant.fund.simple_proof_threshold
    return threshold > 0 and grant.granted_amount <= threshold


def court_of_audit(chain: Chain) -> str:
    """Who audits the last recipient besides the granting authority: the court of audit whose
    budget the money comes from (federal money: § 91 BHO; state money: § 91 of the state's LHO)."""
    source = chain.fund.envelope.funding_source
    if source == "state":
        state = chain.authority.state
        land = GermanState(state).label if state in GermanState.values else "des Landes"
        return f"Der Rechnungshof des Landes {land} ist berechtigt, beim Letztempfänger zu prüfen (§ 91 LHO)."
    if source == "eu":
        return (
            "Die Europäische Kommission und der Europäische Rechnungshof sind berechtigt, beim "
            "Letztempfänger zu prüfen (Art. 287 AEUV)."
        )
    if source == "municipal":
        return "Das zuständige Rechnungsprüfungsamt ist berechtigt, beim Letztempfänger zu prüfen."
    return "Der Bundesrechnungshof ist berechtigt, beim Letztempfänger zu prüfen (§ 91 BHO)."


def _proof(chain: Chain) -> list[str]:
    grant, threshold = chain.grant, chain.fund.simple_proof_threshold
    items = [
        f"Für das Haushaltsjahr {year} ist dem Erstempfänger bis zum "
        f"{ddate(interim_report_due(year, months=grant.interim_report_months))} ein Zwischennachweis "
        "vorzulegen (Nr. 6 ANBest-P)."
        for year in range(grant.period_start.year, grant.period_end.year)
    ]
    due = ddate(final_report_due(grant.period_end, months=grant.final_report_months))
    if simple_proof_allowed(grant):
        items.append(
            f"Die Verwendung der Zuwendung ist dem Erstempfänger bis zum <b>{due}</b> nachzuweisen. Da die "
            f"Zuwendung {eur(threshold)} nicht übersteigt, genügt ein einfacher Verwendungsnachweis: ein kurzer "
            "Sachbericht und ein zahlenmäßiger Nachweis ohne Belegliste. Die Belege sind fünf Jahre nach "
            "Vorlage des Verwendungsnachweises aufzubewahren und auf Verlangen vorzulegen (Nr. 6 ANBest-P)."
        )
    else:
        simple = (
            f" Ein einfacher Verwendungsnachweis ohne Belegliste ist nur bis {eur(threshold)} zugelassen."
            if threshold > 0
            else ""
        )
        items.append(
            f"Die Verwendung der Zuwendung ist dem Erstempfänger bis zum <b>{due}</b> nachzuweisen. Der "
            "Verwendungsnachweis besteht aus einem Sachbericht, einem zahlenmäßigen Nachweis und einer "
            f"Belegliste (Nr. 6 ANBest-P).{simple}"
        )
    items.append(
        "Der Erstempfänger prüft den Verwendungsnachweis zuerst (Erstprüfung) und legt ihn mit dem eigenen "
        "Verwendungsnachweis der Bewilligungsbehörde vor. Weitergeleitete Mittel gelten nur insoweit als "
        "verwendet, als der Nachweis des Letztempfängers anerkannt wird."
    )
    return items


def _reclaim(chain: Chain) -> str:
    grant = chain.grant
    rate = f"{number(grant.interest_margin_points)} Prozentpunkten über dem Basiszinssatz jährlich"
    late = (
        f"Werden ausgezahlte Beträge nicht innerhalb von {drawdown_window(grant)} nach der Auszahlung für "
        "fällige Zahlungen verwendet, können für die Zeit von der Auszahlung bis zur zweckentsprechenden "
        f"Verwendung Zinsen in Höhe von {rate.removesuffix(' jährlich')} verlangt werden"
    )
    back = f"Erstattete Beträge fließen dem Fonds „{esc(chain.fund.name)}“ zu."
    if chain.contract:
        return (
            "Der Erstempfänger kann von diesem Vertrag zurücktreten oder ihn kündigen, wenn die Zuwendung nicht "
            "oder nicht mehr für den vereinbarten Zweck verwendet wird, der Letztempfänger Pflichten aus diesem "
            "Vertrag nicht oder nicht fristgerecht erfüllt oder die Bewilligungsbehörde die Erstzuwendung "
            "zurückfordert, soweit es diese Weiterleitung betrifft. Der Letztempfänger hat die Zuwendung dann "
            f"insoweit zu erstatten; der Erstattungsbetrag ist vom Zeitpunkt der Auszahlung an mit {rate} zu "
            f"verzinsen. {late}. Diese Erstattungs- und Zinsregelungen werden vertraglich vereinbart; sie "
            f"entsprechen § 49a VwVfG. {back}"
        )
    return (
        "Soweit dieser Bescheid zurückgenommen oder widerrufen wird oder sonst unwirksam wird, ist die Zuwendung "
        f"zu erstatten (§ 49a Abs. 1 VwVfG). Der Erstattungsbetrag ist mit {rate} zu verzinsen "
        f"(§ 49a Abs. 3 VwVfG). {late} (§ 49a Abs. 4 VwVfG). {back}"
    )


def _conditions(chain: Chain) -> list[str]:
    grant = chain.grant
    conditions = [
        "Die Allgemeinen Nebenbestimmungen für Zuwendungen zur Projektförderung (ANBest-P) sind Bestandteil "
        f"{chain.this}. Sie und die Bestimmungen aus dem {chain.first_notice}, "
        "soweit sie die weitergeleiteten Mittel betreffen, gelten für den Letztempfänger; an die Stelle der "
        "Bewilligungsbehörde tritt der Erstempfänger, soweit nichts anderes bestimmt ist.",
        f"Die Zuwendung ist ausschließlich für den in {'§ 1' if chain.contract else 'Nr. 1'} genannten Zweck "
        f"innerhalb des Bewilligungszeitraums {period(grant.period_start, grant.period_end)} wirtschaftlich und "
        "sparsam zu verwenden. Sie darf nur insoweit und nicht eher angefordert werden, als sie innerhalb von "
        f"{drawdown_window(grant)} nach der Auszahlung für fällige Zahlungen benötigt wird (Nr. 1.4 ANBest-P).",
        *_proof(chain),
        "Der Letztempfänger teilt dem Erstempfänger unverzüglich mit, wenn er weitere Zuwendungen für denselben "
        "Zweck beantragt oder erhält, wenn sich die Ausgaben ermäßigen oder die Finanzierung erhöht, oder wenn "
        "sich der Zuwendungszweck oder sonstige für die Bewilligung maßgebliche Umstände ändern oder wegfallen "
        "(Nr. 5 ANBest-P).",
        f"Der Erstempfänger und die Bewilligungsbehörde {esc(chain.authority.name)} sind berechtigt, beim "
        "Letztempfänger Bücher, Belege und sonstige Geschäftsunterlagen anzufordern sowie die Verwendung der "
        "Zuwendung durch örtliche Erhebungen zu prüfen oder durch Beauftragte prüfen zu lassen (Nr. 7 ANBest-P). "
        f"{court_of_audit(chain)} Der Letztempfänger hält die Unterlagen dafür bereit und erteilt die "
        "notwendigen Auskünfte.",
        _reclaim(chain),
    ]
    if grant.confidential_individual_support:
        conditions.append(
            "Bei Einzelfallhilfen ist in der Belegliste an Stelle des Namens der unterstützten Person ein "
            "Fallpseudonym anzugeben; die Zuordnung verbleibt beim Letztempfänger."
        )
    return conditions


# --- signature lines of a contract ------------------------------------------------------------


def _signatures(chain: Chain) -> Flowable:
    """Two blank signature lines: a contract is signed by hand (or qualified electronic
    signature) by both parties; unlike a notice it is not valid without them."""
    last_recipient = chain.grant.organisation

    def party(role: str, name: str, who: str) -> list[Flowable]:
        return [
            Spacer(1, 8 * mm),
            Paragraph("_" * 38, Styles.cell),
            Paragraph("Ort, Datum", Styles.small),
            Spacer(1, 14 * mm),
            Paragraph("_" * 38, Styles.cell),
            Paragraph(f"Unterschrift {role}", Styles.small),
            Paragraph(f"<b>{esc(name)}</b>", Styles.cell),
            Paragraph(esc(who), Styles.small),
        ]

    cells = [
        party("Erstempfänger", chain.first_recipient.name, chain.grant.office.name),
        party(
            "Letztempfänger",
            last_recipient.name,
            last_recipient.contact_person or "vertretungsberechtigte Person",
        ),
    ]
    table = Table([cells], colWidths=[TEXT_WIDTH / 2] * 2, hAlign="LEFT", spaceBefore=10)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8 * mm),
            ]
        )
    )
    return KeepTogether([Spacer(1, 6 * mm), table])
