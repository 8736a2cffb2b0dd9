"""What the Saxon partnerships for democracy (PfD) do with their money: the first grants of the
Demokratie-Zentrum Sachsen to the districts and cities, the funds they open, and the
micro-projects (Einzelmaßnahmen) of local carriers.

Natural keys, as everywhere in the demo: a first grant is the application (legal body, title),
a micro-project the application (carrier, title). Every date is fixed and lies before
December 2026: PfD Görlitz ran 2026 from the first cut-off to the checked proofs and opens 2027;
PfD Sächsische Schweiz-Osterzgebirge started in July 2025 and has handed in its combined final
proof for 2025.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

D = date

# Fund kinds of the partnership programme (DOMAIN.md §7): both pass money on to micro-projects.
ACTION = "AIF"
YOUTH = "JF"


@dataclass(frozen=True)
class FirstGrant:
    """A first recipient's grant from the Demokratie-Zentrum and the funds it finances.

    ``action`` and ``youth`` are the fund volumes; they are also the two plan lines of money
    passed on, so the rest of the grant (and the 10 % own share of the district or city) is
    the coordination office's. ``approved_on`` dates the decision, ``funds_on`` the day the
    office opens its funds.
    """

    office: str
    year: int
    grant: int
    action: int
    youth: int
    approved_on: date
    funds_on: date
    start: date | None = None  # a partnership that starts during the year
    waived: bool = True  # the district or city waived its right to object to the notice
    final_proof: bool = False  # the year is over and its combined final proof is checked

    @property
    def period(self) -> tuple[date, date]:
        return (self.start or D(self.year, 1, 1), D(self.year, 12, 31))


FIRST_GRANTS: list[FirstGrant] = [
    # A partnership in its first half-year: its combined final proof is handed in (see chain.py).
    FirstGrant(
        "SN-SOE",
        2025,
        26_000,
        11_000,
        2_000,
        D(2025, 6, 9),
        D(2025, 6, 23),
        start=D(2025, 7, 1),
        final_proof=True,
    ),
    FirstGrant("SN-GR", 2026, 125_000, 50_000, 15_000, D(2025, 12, 8), D(2026, 1, 12)),
    FirstGrant("SN-L", 2026, 125_000, 55_000, 12_500, D(2025, 12, 8), D(2026, 1, 19)),
    FirstGrant("SN-DD", 2026, 125_000, 52_000, 14_000, D(2025, 12, 10), D(2026, 1, 20)),
    FirstGrant("SN-BZ", 2026, 118_000, 48_000, 12_000, D(2025, 12, 10), D(2026, 1, 26)),
    FirstGrant("SN-C", 2026, 125_000, 50_000, 15_000, D(2025, 12, 12), D(2026, 1, 21)),
    FirstGrant("SN-Z", 2026, 112_000, 45_000, 12_000, D(2025, 12, 12), D(2026, 2, 2)),
    FirstGrant("SN-ERZ", 2026, 120_000, 48_000, 13_000, D(2025, 12, 15), D(2026, 1, 28)),
    FirstGrant("SN-SOE", 2026, 110_000, 44_000, 12_000, D(2025, 12, 15), D(2026, 1, 14)),
    # Next year's notice: posted, its objection period still running.
    FirstGrant("SN-GR", 2027, 125_000, 52_000, 15_000, D(2026, 11, 20), D(2026, 11, 27), waived=False),
]

# Fund rules per kind: maximum per micro-project, co-financing guide value (%), simple proof up
# to, and the cut-off dates (day, month, percent of the volume released).
FUND_RULES: dict[str, dict] = {
    ACTION: {
        "max_per_measure": 3_500,
        "guide": 10,
        "simple_up_to": 1_000,
        "cutoffs": [((15, 2), 40), ((15, 5), 40), ((15, 8), 20)],
        "ends": (30, 11),
    },
    YOUTH: {"max_per_measure": 1_000, "guide": 0, "simple_up_to": 1_000, "cutoffs": [], "ends": (30, 11)},
}
# A partnership that starts in July has one cut-off date for each fund.
LATE_START_CUTOFFS: list[tuple[tuple[int, int], int]] = [((15, 7), 100)]

# --- micro-projects -----------------------------------------------------------------------------

# How far a micro-project gets. Before the committee: draft, submitted, formal_check,
# revision_requested, content_review (awaits its committee), withdrawn. The committee's vote
# (``Micro.vote``) decides the rest: adopted → approval_proposed or approved (then the grant's
# fate: paid, proof_due, proof_submitted, proof_in_review, checked, reclaimed); rejected →
# rejection_proposed or rejected.
PRE_COMMITTEE = ("draft", "submitted", "formal_check", "revision_requested", "content_review", "withdrawn")
GRANT_FATES = ("paid", "proof_due", "proof_submitted", "proof_in_review", "checked", "reclaimed")

# (category, text, amount)
Line = tuple[str, str, int]


@dataclass(frozen=True)
class Micro:
    office: str
    fund: str  # ACTION or YOUTH
    year: int
    carrier: str
    title: str
    summary: str
    goals: str
    target_groups: str
    region: str
    period: tuple[date, date]
    lines: tuple[Line, ...]
    own: int
    fate: str
    submitted_on: date
    session: str = ""  # key of the committee session that decides it (SESSIONS)
    vote: tuple[int, int, int] = (0, 0, 0)  # yes, no, abstentions
    actual: dict[str, int] = field(default_factory=dict)  # category or "own" → actual, when it differs
    note: str = ""  # a revision request, a rejection's reasons or a withdrawal's reason
    narrative: str = ""

    @property
    def grant(self) -> int:
        return sum(amount for _c, _t, amount in self.lines) - self.own

    @property
    def key(self) -> tuple[str, str]:
        return (self.carrier, self.title)


@dataclass(frozen=True)
class Session:
    """A committee session (or circulation vote) of a PfD on the micro-projects of one fund.

    The office prepares the agenda a week ahead (``prepared_on``); members whose organisation
    applies are recused from its item. A seat in ``absent`` is taken by its deputy (or stays
    empty), a seat in ``pending`` has not voted yet. ``state`` is where the demo leaves it:
    planned (the agenda is set), voting, or closed (the recommendations are recorded).
    """

    key: str
    office: str
    committee: str  # "steering" or "youth"
    held_on: date
    state: str = "closed"
    deadline: date | None = None  # a circulation procedure's
    prepared_on: date | None = None
    absent: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()

    @property
    def circulation(self) -> bool:
        return self.deadline is not None

    @property
    def agenda_day(self) -> date:
        return self.prepared_on or self.held_on - timedelta(days=7)


SESSIONS: list[Session] = [
    Session("gr-ba-2026-1", "SN-GR", "steering", D(2026, 3, 4), absent=("Thomas Knauth", "Lena Böhme")),
    Session("gr-jf-2026-1", "SN-GR", "youth", D(2026, 4, 15)),
    Session("gr-jf-2027-1", "SN-GR", "youth", D(2026, 12, 2)),
    # A circulation procedure running now: Roman Nitsche (demo login) has not voted yet.
    Session(
        "gr-ba-2027-u",
        "SN-GR",
        "steering",
        D(2026, 12, 1),
        state="voting",
        deadline=D(2026, 12, 11),
        prepared_on=D(2026, 11, 30),
        pending=("Roman Nitsche", "Frank Zimmer", "Lena Böhme", "Gudrun Scholz"),
    ),
    Session("gr-ba-2027-1", "SN-GR", "steering", D(2027, 2, 24), state="planned", prepared_on=D(2026, 12, 1)),
    Session("soe-ba-2025-1", "SN-SOE", "steering", D(2025, 8, 6)),
    Session("soe-jf-2025-1", "SN-SOE", "youth", D(2025, 8, 13)),
]

MICROS: list[Micro] = [
    # --- PfD Görlitz 2026, action fund: Begleitausschuss on 4 March 2026 -------------------------
    Micro(
        office="SN-GR",
        year=2026,
        fund=ACTION,
        carrier="Nachbarschaftsverein Weinhübel e.V.",
        title="Tafel der Vielfalt – Frühlingsfest Weinhübel",
        summary="Ein Straßenfest an einer langen Tafel, an der alteingesessene und neu zugezogene Familien aus Weinhübel ins Gespräch kommen, mit einer Gesprächsrunde zur Zukunft des Stadtteils.",
        goals="Mindestens 200 Gäste; die Vorschläge der Gesprächsrunde gehen an den Stadtrat.",
        target_groups="Bewohnerinnen und Bewohner von Weinhübel",
        region="Görlitz-Weinhübel",
        period=(D(2026, 4, 1), D(2026, 4, 30)),
        lines=(
            ("fees", "Honorare Musik und Moderation", 1_200),
            ("material", "Zelt- und Tischmiete, Verpflegung", 1_100),
            ("public_relations", "Plakate und Einladungen", 400),
        ),
        own=300,
        fate="reclaimed",
        submitted_on=D(2026, 2, 6),
        session="gr-ba-2026-1",
        vote=(8, 0, 0),
        actual={"material": 930, "public_relations": 350},
        narrative="Rund 240 Gäste kamen an die Tafel; die Gesprächsrunde hat drei Vorschläge zum Spielplatz an der Leschwitzer Straße an den Stadtrat gegeben. Zelt und Verpflegung waren günstiger als geplant, weil der Bäcker im Stadtteil gespendet hat.",
    ),
    Micro(
        office="SN-GR",
        year=2026,
        fund=ACTION,
        carrier="Evangelische Innenstadtgemeinde Görlitz",
        title="Streiten lernen – Gesprächsabende in der Frauenkirche",
        summary="Sechs moderierte Gesprächsabende, an denen Menschen mit gegensätzlichen Ansichten zu Migration, Klima und Ostdeutschland respektvoll miteinander streiten.",
        goals="Sechs Abende mit je mindestens 30 Teilnehmenden; eine Gruppe ehrenamtlicher Moderatorinnen und Moderatoren ist ausgebildet.",
        target_groups="Erwachsene aus Görlitz und Umgebung, unabhängig von Konfession",
        region="Görlitz-Innenstadt",
        period=(D(2026, 4, 15), D(2026, 10, 31)),
        lines=(
            ("fees", "Honorare Moderation (sechs Abende)", 2_400),
            ("material", "Raumkosten, Technik und Verpflegung", 800),
            ("public_relations", "Flyer und Anzeigen", 400),
        ),
        own=400,
        fate="proof_in_review",
        submitted_on=D(2026, 2, 9),
        session="gr-ba-2026-1",
        vote=(6, 0, 1),
        narrative="Sechs Gesprächsabende mit 25 bis 60 Teilnehmenden; zwölf Ehrenamtliche haben die Moderationsschulung abgeschlossen und leiten ab 2027 eigene Abende.",
    ),
    Micro(
        office="SN-GR",
        year=2026,
        fund=ACTION,
        carrier="Bürgerinitiative Altstadtbrücke",
        title="Brückengespräche – Görlitz und Zgorzelec im Dialog",
        summary="Vier zweisprachige Bürgergespräche auf beiden Seiten der Neiße zu Nachbarschaft, Arbeit und Vorurteilen.",
        goals="Vier Gespräche mit Dolmetschung; eine gemeinsame Erklärung an beide Stadträte.",
        target_groups="Einwohnerinnen und Einwohner von Görlitz und Zgorzelec",
        region="Görlitz und Zgorzelec",
        period=(D(2026, 6, 1), D(2026, 10, 31)),
        lines=(
            ("fees", "Dolmetschung und Moderation", 1_300),
            ("material", "Raummiete und Verpflegung", 350),
            ("public_relations", "Zweisprachige Einladungen", 150),
        ),
        own=0,
        fate="proof_due",
        submitted_on=D(2026, 2, 12),
        session="gr-ba-2026-1",
        vote=(6, 1, 1),
    ),
    Micro(
        office="SN-GR",
        year=2026,
        fund=ACTION,
        carrier="Sportverein Rauschwalde 1990 e.V.",
        title="Fair-Play-Cup Rauschwalde",
        summary="Ein Fußballturnier für Jugendmannschaften mit Fair-Play-Wertung und einem Workshop gegen Diskriminierung im Sport.",
        goals="Zwölf Mannschaften nehmen teil; alle Trainerinnen und Trainer besuchen den Workshop.",
        target_groups="Jugendmannschaften aus Görlitz und dem Umland",
        region="Görlitz-Rauschwalde",
        period=(D(2026, 6, 13), D(2026, 6, 14)),
        lines=(
            ("fees", "Schiedsrichter und Workshopleitung", 1_400),
            ("material", "Pokale, Verpflegung und Platzmiete", 1_600),
            ("public_relations", "Plakate", 300),
        ),
        own=300,
        fate="rejected",
        submitted_on=D(2026, 2, 13),
        session="gr-ba-2026-1",
        vote=(2, 5, 1),
        note="Der Begleitausschuss hat das Vorhaben nicht empfohlen: Das Turnier ist im Kern eine Vereinsveranstaltung; der Workshop gegen Diskriminierung macht nur einen kleinen Teil aus. Eine Förderung über den Kreissportbund ist möglich.",
    ),
    Micro(
        office="SN-GR",
        year=2026,
        fund=ACTION,
        carrier="Kulturbrücke Görlitz-Zgorzelec e.V.",
        title="Zweisprachiges Lesefest „Nachbarsprache“",
        summary="Ein Lesefest mit deutschen und polnischen Autorinnen und Autoren an Orten auf beiden Seiten der Neiße.",
        goals="Acht Lesungen mit Übersetzung; mindestens 400 Besucherinnen und Besucher.",
        target_groups="Leserinnen und Leser in Görlitz und Zgorzelec, Schulklassen",
        region="Görlitz und Zgorzelec",
        period=(D(2026, 5, 15), D(2026, 9, 15)),
        lines=(
            ("fees", "Honorare Autorinnen und Autoren, Übersetzung", 2_600),
            ("material", "Technik und Raummiete", 700),
            ("public_relations", "Zweisprachiges Programmheft", 600),
        ),
        own=400,
        fate="checked",
        submitted_on=D(2026, 2, 11),
        session="gr-ba-2026-1",
        vote=(8, 0, 0),
        narrative="Acht Lesungen mit insgesamt 460 Gästen, davon drei Schulveranstaltungen. Das Programmheft erschien in beiden Sprachen.",
    ),
    Micro(
        office="SN-GR",
        year=2026,
        fund=ACTION,
        carrier="Seniorenbüro Görlitz-Nord e.V.",
        title="Erzählcafé „Wendezeiten“",
        summary="Ältere Görlitzerinnen und Görlitzer erzählen Schulklassen von 1989/90; die Gespräche werden aufgezeichnet.",
        goals="Vier Erzählcafés mit Schulklassen; die Aufnahmen gehen an das Stadtarchiv.",
        target_groups="Seniorinnen und Senioren, Schülerinnen und Schüler der Klassen 9 und 10",
        region="Görlitz-Nord",
        period=(D(2026, 4, 1), D(2026, 6, 30)),
        lines=(("fees", "Moderation und Tonaufnahme", 600), ("material", "Raummiete und Bewirtung", 350)),
        own=50,
        fate="checked",
        submitted_on=D(2026, 2, 4),
        session="gr-ba-2026-1",
        vote=(8, 0, 0),
        narrative="Vier Erzählcafés mit zwei Oberschulen; 14 Zeitzeuginnen und Zeitzeugen haben erzählt. Die Aufnahmen liegen im Stadtarchiv.",
    ),
    # --- PfD Görlitz 2026, youth fund: Jugendforum on 15 April 2026 --------------------------------
    Micro(
        office="SN-GR",
        year=2026,
        fund=YOUTH,
        carrier="Jugendgruppe Weinhübel",
        title="Graffiti-Workshop „Unsere Wand“",
        summary="Jugendliche gestalten mit einem Graffiti-Künstler die Wand am Jugendtreff; das Motiv stimmen sie mit den Nachbarn ab.",
        goals="Eine gestaltete Wand; 15 Jugendliche nehmen teil; die Nachbarschaft stimmt über das Motiv ab.",
        target_groups="Jugendliche von 12 bis 18 Jahren aus Weinhübel",
        region="Görlitz-Weinhübel",
        period=(D(2026, 5, 18), D(2026, 7, 31)),
        lines=(("fees", "Workshopleitung Graffiti", 600), ("material", "Farben und Schutzkleidung", 350)),
        own=0,
        fate="checked",
        submitted_on=D(2026, 3, 20),
        session="gr-jf-2026-1",
        vote=(6, 0, 0),
        narrative="17 Jugendliche haben die Wand in vier Workshoptagen gestaltet; 80 Nachbarinnen und Nachbarn haben über drei Entwürfe abgestimmt.",
    ),
    Micro(
        office="SN-GR",
        year=2026,
        fund=YOUTH,
        carrier="Schülerrat der Oberschule Königshufen",
        title="Podcast „Mitreden“",
        summary="Der Schülerrat produziert einen Podcast, in dem Jugendliche Kommunalpolitikerinnen und -politiker befragen.",
        goals="Sechs Folgen; jede Fraktion des Stadtrats ist einmal zu Gast.",
        target_groups="Schülerinnen und Schüler der Oberschule Königshufen",
        region="Görlitz-Königshufen",
        period=(D(2026, 5, 4), D(2026, 10, 30)),
        lines=(("material", "Mikrofone und Schnittsoftware", 450), ("fees", "Workshop Podcast-Technik", 150)),
        own=0,
        fate="proof_submitted",
        submitted_on=D(2026, 3, 24),
        session="gr-jf-2026-1",
        vote=(5, 0, 1),
        narrative="Sechs Folgen sind erschienen und wurden zusammen rund 1.900-mal gehört; fünf Fraktionen waren zu Gast.",
    ),
    # --- PfD Görlitz 2027, youth fund: Jugendforum on 2 December 2026 ------------------------------
    Micro(
        office="SN-GR",
        year=2027,
        fund=YOUTH,
        carrier="Offener Jugendtreff Rauschwalde",
        title="Filmreihe „Hinschauen“ 2027",
        summary="Vier Filmabende zu Rassismus und Zivilcourage mit anschließendem Gespräch mit Gästen.",
        goals="Vier Filmabende mit je mindestens 20 Jugendlichen.",
        target_groups="Jugendliche des Stadtteils Rauschwalde",
        region="Görlitz-Rauschwalde",
        period=(D(2027, 2, 1), D(2027, 5, 31)),
        lines=(("fees", "Honorare Gesprächsgäste", 400), ("material", "Filmlizenzen und Verpflegung", 300)),
        own=0,
        fate="approval_proposed",
        submitted_on=D(2026, 11, 4),
        session="gr-jf-2027-1",
        vote=(6, 0, 0),
    ),
    Micro(
        office="SN-GR",
        year=2027,
        fund=YOUTH,
        carrier="Schülerrat der Oberschule Königshufen",
        title="Fahrt zum Sächsischen Landtag",
        summary="Der Schülerrat fährt mit 40 Schülerinnen und Schülern nach Dresden und spricht mit Abgeordneten.",
        goals="Ein Gespräch mit Abgeordneten aller Fraktionen.",
        target_groups="Schülerinnen und Schüler der Klassen 8 bis 10",
        region="Görlitz und Dresden",
        period=(D(2027, 3, 1), D(2027, 3, 31)),
        lines=(("travel", "Busfahrt Görlitz–Dresden", 900),),
        own=0,
        fate="rejection_proposed",
        submitted_on=D(2026, 11, 6),
        session="gr-jf-2027-1",
        vote=(1, 4, 1),
        note="Das Jugendforum hat die Fahrt nicht empfohlen: Der Landtag erstattet Schulklassen die Fahrtkosten über sein Besucherprogramm; die Mittel des Jugendfonds sollen eigene Vorhaben der Jugendlichen finanzieren.",
    ),
    # --- PfD Görlitz 2027, action fund: applications before the Begleitausschuss -------------------
    Micro(
        office="SN-GR",
        year=2027,
        fund=ACTION,
        carrier="Nachbarschaftsverein Weinhübel e.V.",
        title="Frühjahrsputz mit Nachbarschaftsgespräch 2027",
        summary="Ein gemeinsamer Frühjahrsputz im Stadtteil, danach ein Gespräch mit dem Ortschaftsrat über die Wünsche der Nachbarschaft.",
        goals="100 Helferinnen und Helfer; eine Liste der Wünsche geht an den Ortschaftsrat.",
        target_groups="Bewohnerinnen und Bewohner von Weinhübel",
        region="Görlitz-Weinhübel",
        period=(D(2027, 4, 10), D(2027, 4, 30)),
        lines=(("material", "Arbeitsmaterial, Container und Verpflegung", 900), ("fees", "Moderation", 300)),
        own=120,
        fate="draft",
        submitted_on=D(2026, 11, 30),
    ),
    Micro(
        office="SN-GR",
        year=2027,
        fund=ACTION,
        carrier="Heimatverein Schlauroth e.V.",
        title="Dorfchronik Schlauroth 1945–1990: Zeitzeugen erzählen",
        summary="Zeitzeuginnen und Zeitzeugen erzählen jungen Menschen aus dem Ortsteil vom Leben zwischen 1945 und 1990; daraus entsteht ein Heft.",
        goals="Zwölf Interviews; ein Heft in einer Auflage von 500 Stück.",
        target_groups="Bewohnerinnen und Bewohner von Schlauroth, Jugendliche",
        region="Görlitz-Schlauroth",
        period=(D(2027, 3, 1), D(2027, 10, 31)),
        lines=(
            ("fees", "Interviewführung und Lektorat", 1_200),
            ("public_relations", "Druck des Heftes", 1_400),
        ),
        own=300,
        fate="submitted",
        submitted_on=D(2026, 11, 25),
    ),
    Micro(
        office="SN-GR",
        year=2027,
        fund=ACTION,
        carrier="Initiative Gedenkort Biesnitz",
        title="Rundgänge zu den Stolpersteinen in Biesnitz",
        summary="Jugendliche erarbeiten mit der Initiative Rundgänge zu den Stolpersteinen im Ortsteil und führen sie selbst.",
        goals="Zehn Jugendliche sind als Guides geschult; acht öffentliche Rundgänge.",
        target_groups="Jugendliche, Schulklassen, Besucherinnen und Besucher",
        region="Görlitz-Biesnitz",
        period=(D(2027, 3, 1), D(2027, 11, 9)),
        lines=(("fees", "Historikerin, Schulung der Guides", 1_500), ("public_relations", "Faltblatt", 500)),
        own=200,
        fate="formal_check",
        submitted_on=D(2026, 11, 18),
    ),
    Micro(
        office="SN-GR",
        year=2027,
        fund=ACTION,
        carrier="Kulturbrücke Görlitz-Zgorzelec e.V.",
        title="Deutsch-polnische Theaterwerkstatt 2027",
        summary="Jugendliche aus Görlitz und Zgorzelec entwickeln in einer Theaterwerkstatt ein Stück über ihre Stadt.",
        goals="Zwei Aufführungen, eine auf jeder Seite der Neiße.",
        target_groups="Jugendliche von 14 bis 20 Jahren aus Görlitz und Zgorzelec",
        region="Görlitz und Zgorzelec",
        period=(D(2027, 3, 1), D(2027, 9, 30)),
        lines=(("fees", "Theaterpädagogik und Übersetzung", 2_800), ("material", "Kostüme und Bühne", 700)),
        own=350,
        fate="revision_requested",
        submitted_on=D(2026, 11, 10),
        note="Bitte reichen Sie die Kooperationsvereinbarung mit dem Jugendtheater in Zgorzelec nach; aus ihr muss hervorgehen, wer die Räume für die zweite Aufführung stellt.",
    ),
    Micro(
        office="SN-GR",
        year=2027,
        fund=ACTION,
        carrier="Seniorenbüro Görlitz-Nord e.V.",
        title="Digital mitreden – Seniorinnen und Senioren im Netz",
        summary="Jugendliche zeigen Seniorinnen und Senioren, wie sie sich online informieren und an Bürgerbeteiligung teilnehmen; dazu gehört der Umgang mit Falschmeldungen.",
        goals="Zehn Kurstage; 40 Seniorinnen und Senioren nutzen das Beteiligungsportal der Stadt.",
        target_groups="Seniorinnen und Senioren, Jugendliche als Lotsen",
        region="Görlitz-Nord",
        period=(D(2027, 3, 1), D(2027, 6, 30)),
        lines=(("fees", "Kursleitung", 1_400), ("material", "Leihgeräte und Raummiete", 600)),
        own=150,
        fate="content_review",
        submitted_on=D(2026, 11, 12),
        session="gr-ba-2027-1",
    ),
    Micro(
        office="SN-GR",
        year=2027,
        fund=ACTION,
        carrier="Bürgerinitiative Altstadtbrücke",
        title="Brückengespräche 2027",
        summary="Die Bürgergespräche auf beiden Seiten der Neiße gehen weiter; 2027 zum Thema Arbeit und Pendeln.",
        goals="Vier Gespräche mit Dolmetschung; eine Erklärung an beide Stadträte.",
        target_groups="Einwohnerinnen und Einwohner von Görlitz und Zgorzelec",
        region="Görlitz und Zgorzelec",
        period=(D(2027, 4, 1), D(2027, 10, 31)),
        lines=(
            ("fees", "Dolmetschung und Moderation", 1_400),
            ("material", "Raummiete und Verpflegung", 400),
        ),
        own=180,
        fate="content_review",
        submitted_on=D(2026, 11, 9),
        session="gr-ba-2027-u",
        vote=(4, 0, 1),
    ),
    Micro(
        office="SN-GR",
        year=2027,
        fund=ACTION,
        carrier="Sportverein Rauschwalde 1990 e.V.",
        title="Vielfalt am Ball 2027",
        summary="Ein Trainingsangebot für geflüchtete und einheimische Kinder mit Elternabenden zu Fairness und Respekt.",
        goals="30 Kinder trainieren regelmäßig zusammen.",
        target_groups="Kinder von 8 bis 12 Jahren und ihre Eltern",
        region="Görlitz-Rauschwalde",
        period=(D(2027, 3, 1), D(2027, 11, 30)),
        lines=(("fees", "Übungsleitung", 1_800), ("material", "Bälle und Trikots", 800)),
        own=260,
        fate="withdrawn",
        submitted_on=D(2026, 11, 3),
        note="Der Kreissportbund fördert das Vorhaben 2027 aus seinem Integrationsprogramm; wir ziehen den Antrag zurück.",
    ),
    # --- PfD Sächsische Schweiz-Osterzgebirge 2025 (first half-year) -----------------------------
    Micro(
        office="SN-SOE",
        year=2025,
        fund=ACTION,
        carrier="Netzwerk Weltoffenes Pirna e.V.",
        title="Interkulturelle Woche Pirna 2025",
        summary="Eine Woche mit Begegnungsfest, Kochabend und Podiumsgespräch, vorbereitet von Vereinen und Migrantenorganisationen.",
        goals="Fünf Veranstaltungen mit zusammen mindestens 500 Gästen.",
        target_groups="Einwohnerinnen und Einwohner von Pirna, Zugewanderte",
        region="Pirna",
        period=(D(2025, 9, 15), D(2025, 10, 15)),
        lines=(
            ("fees", "Honorare Moderation und Musik", 1_900),
            ("material", "Zelt, Technik und Verpflegung", 1_500),
            ("public_relations", "Programmflyer", 450),
        ),
        own=350,
        fate="checked",
        submitted_on=D(2025, 7, 10),
        session="soe-ba-2025-1",
        vote=(7, 0, 0),
        narrative="Fünf Veranstaltungen mit rund 650 Gästen; neun Vereine und drei Migrantenorganisationen haben mitgewirkt.",
    ),
    Micro(
        office="SN-SOE",
        year=2025,
        fund=ACTION,
        carrier="Geschichtsverein Dippoldiswalde e.V.",
        title="Zeitzeugencafé 1989 in Dippoldiswalde",
        summary="Drei Gesprächsnachmittage, an denen Zeitzeuginnen und Zeitzeugen mit Jugendlichen über den Herbst 1989 sprechen.",
        goals="Drei Nachmittage; eine Ausstellung im Rathaus.",
        target_groups="Jugendliche und ältere Menschen aus Dippoldiswalde",
        region="Dippoldiswalde",
        period=(D(2025, 9, 1), D(2025, 11, 28)),
        lines=(
            ("fees", "Moderation und Ausstellungsgestaltung", 1_600),
            ("material", "Ausstellungstafeln", 1_400),
        ),
        own=200,
        fate="checked",
        submitted_on=D(2025, 7, 14),
        session="soe-ba-2025-1",
        vote=(6, 0, 1),
        narrative="Drei Nachmittage mit 110 Gästen; die Ausstellung war vier Wochen im Rathaus zu sehen.",
    ),
    Micro(
        office="SN-SOE",
        year=2025,
        fund=ACTION,
        carrier="Ev.-Luth. Kirchgemeinde Heidenau",
        title="Runder Tisch Heidenau – moderierte Bürgerdialoge",
        summary="Vier moderierte Bürgerdialoge zu Sicherheit, Zuwanderung und Zusammenleben in Heidenau.",
        goals="Vier Dialoge; ein Runder Tisch trifft sich danach regelmäßig.",
        target_groups="Einwohnerinnen und Einwohner von Heidenau",
        region="Heidenau",
        period=(D(2025, 9, 1), D(2025, 11, 30)),
        lines=(("fees", "Externe Moderation", 2_600), ("material", "Raumkosten und Verpflegung", 900)),
        own=300,
        fate="checked",
        submitted_on=D(2025, 7, 18),
        session="soe-ba-2025-1",
        vote=(7, 0, 0),
        actual={"material": 700},
        narrative="Vier Dialoge mit 40 bis 90 Teilnehmenden; der Runde Tisch hat sich gegründet und trifft sich monatlich.",
    ),
    Micro(
        office="SN-SOE",
        year=2025,
        fund=ACTION,
        carrier="Initiative Begegnungsgarten Freital",
        title="Begegnungsgarten: Pflanzen, Kochen, Reden",
        summary="Im Begegnungsgarten pflanzen, ernten und kochen Familien aus Freital und geflüchtete Familien gemeinsam.",
        goals="Zwölf Gartentage und drei Kochabende.",
        target_groups="Familien aus Freital, geflüchtete Familien",
        region="Freital",
        period=(D(2025, 8, 25), D(2025, 10, 31)),
        lines=(("material", "Saatgut, Werkzeug und Lebensmittel", 1_000), ("fees", "Gartenpädagogin", 500)),
        own=0,
        fate="checked",
        submitted_on=D(2025, 7, 21),
        session="soe-ba-2025-1",
        vote=(7, 0, 0),
        narrative="Zwölf Gartentage mit 15 bis 30 Beteiligten und drei Kochabende; der Garten wird 2026 weitergeführt.",
    ),
    Micro(
        office="SN-SOE",
        year=2025,
        fund=YOUTH,
        carrier="Jugendgruppe Sebnitz",
        title="Jugendkonferenz Sebnitz",
        summary="Jugendliche laden den Bürgermeister und den Stadtrat zu einer Konferenz über Treffpunkte und Busverbindungen ein.",
        goals="Eine Konferenz mit 60 Jugendlichen; drei Anträge an den Stadtrat.",
        target_groups="Jugendliche von 13 bis 21 Jahren aus Sebnitz",
        region="Sebnitz",
        period=(D(2025, 9, 1), D(2025, 10, 31)),
        lines=(
            ("material", "Raummiete und Verpflegung", 600),
            ("public_relations", "Plakate und Social Media", 350),
        ),
        own=0,
        fate="checked",
        submitted_on=D(2025, 7, 25),
        session="soe-jf-2025-1",
        vote=(5, 0, 0),
        narrative="72 Jugendliche kamen zur Konferenz; der Stadtrat berät zwei ihrer Anträge im Januar.",
    ),
    Micro(
        office="SN-SOE",
        year=2025,
        fund=YOUTH,
        carrier="Jugendgruppe Sebnitz",
        title="Skate-Contest mit Jugendbeteiligung",
        summary="Jugendliche planen einen Skate-Contest und stellen dabei ihre Ideen für den neuen Skatepark der Stadt vor.",
        goals="Ein Contest mit 40 Teilnehmenden; die Ideen für den Skatepark gehen an das Bauamt.",
        target_groups="Jugendliche aus Sebnitz und Umgebung",
        region="Sebnitz",
        period=(D(2025, 9, 20), D(2025, 10, 18)),
        lines=(("fees", "Moderation und Jury", 400), ("material", "Rampenmiete und Preise", 500)),
        own=0,
        fate="checked",
        submitted_on=D(2025, 7, 28),
        session="soe-jf-2025-1",
        vote=(5, 0, 0),
        narrative="44 Jugendliche nahmen teil; das Bauamt hat ihre Entwürfe in die Planung des Skateparks aufgenommen.",
    ),
]
