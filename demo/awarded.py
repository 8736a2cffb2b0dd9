"""The demo grants after the award: projects with explicit financing plans (so every settlement
figure can be checked by hand) and the receipts of their proofs.

Natural key, as for every demo application: (carrier, title). The stories themselves (who does
what on which day) are in ``_demo_postaward``. Four projects ran in 2025/2026 and use fixed
dates, because their interest needs base rates that the shipped table holds; the current one
(``current``) is placed around the day the seed runs, because a drawdown can only be requested
for money needed within the drawdown window from that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from demo.projects import Project

# (category, text, budget year, amount) and (kind, source, budget year, amount)
Line = tuple[str, str, int, str]


@dataclass(frozen=True)
class Awarded:
    key: str
    project: Project
    expenditure: list[Line]
    cover: list[Line]

    @property
    def title(self) -> str:
        return self.project.title


def _project(
    carrier: str, programme: str, office: str, title: str, period: tuple[date, date], **text: str
) -> Project:
    return Project(
        carrier,
        programme,
        office,
        "approved",
        title,
        text["summary"],
        text["goals"],
        text["target_groups"],
        text["region"],
        period,
        0,
        financing_type=text.get("financing_type", "deficit"),
    )


def current_period(today: date) -> tuple[date, date]:
    """Two budget years around ``today``: started at least 60 days ago, so the interim proof of
    the first year is never overdue while the project runs (it is due on 30 April after it)."""
    start_year = (today - timedelta(days=60)).year
    return date(start_year, 1, 1), date(start_year + 1, 12, 31)


def awarded_projects(today: date) -> list[Awarded]:
    start, end = current_period(today)
    y1, y2 = start.year, end.year
    pfd = "Demokratie leben! – Partnerschaften für Demokratie"
    return [
        # Settled: a capped line, a reclaim with interest and a partial repayment.
        Awarded(
            "settled_reclaim",
            _project(
                "LO",
                "DL-PFD",
                "SN-L",
                "Stadtteilforum Leipziger Osten 2025",
                (date(2025, 1, 1), date(2025, 12, 31)),
                summary="Monatliche Stadtteilforen, in denen Bewohnerinnen, Bewohner und Verwaltung über Vorhaben im Quartier beraten.",
                goals="Zwölf Stadtteilforen finden statt; mindestens fünf Vorschläge gehen an den Stadtbezirksbeirat Ost.",
                target_groups="Bewohnerinnen und Bewohner, Gewerbetreibende und Initiativen im Leipziger Osten",
                region="Leipzig-Ost",
            ),
            [
                ("staff", "Projektkoordination (0,75 VZÄ, EG 10 TVöD)", 2025, "40000"),
                ("fees", "Honorare Moderation der Stadtteilforen", 2025, "10000"),
                ("material", "Raummiete und Verpflegung", 2025, "8000"),
                ("travel", "Fahrtkosten nach Landesreisekostengesetz", 2025, "2000"),
            ],
            [
                ("own", "Eigenmittel (Mitgliedsbeiträge, Spenden)", 2025, "3000"),
                ("third_party", "Stadt Leipzig, Amt für Jugend und Familie", 2025, "3000"),
                ("grant", pfd, 2025, "54000"),
            ],
        ),
        # Settled with a last payment; the notice became final by waiver.
        Awarded(
            "settled_last_payment",
            _project(
                "JBW",
                "WOS",
                "SN",
                "Demokratiewerkstatt an Dresdner Oberschulen 2025",
                (date(2025, 3, 1), date(2025, 11, 30)),
                summary="Projekttage, an denen Schulklassen eigene Beteiligungsvorhaben für ihre Schule entwickeln.",
                goals="An acht Oberschulen setzen Schülerinnen und Schüler ein eigenes Vorhaben um.",
                target_groups="Schülerinnen und Schüler der Klassen 7 bis 9",
                region="Dresden",
                financing_type="share",
            ),
            [
                ("fees", "Honorare Workshopleitung (60 € je Stunde)", 2025, "12000"),
                ("material", "Arbeitsmaterial und Verbrauchsmittel", 2025, "4000"),
                ("public_relations", "Dokumentation und Social Media", 2025, "4000"),
            ],
            [
                ("own", "Eigenmittel (Mitgliedsbeiträge, Spenden)", 2025, "1000"),
                ("grant", "Weltoffenes Sachsen für Demokratie und Toleranz", 2025, "19000"),
            ],
        ),
        # Two years: interim proof submitted, amendment approved (plan version 2), late-use interest.
        Awarded(
            "running_two_years",
            _project(
                "DRK",
                "DL-PFD",
                "SN-GR",
                "Nachbarschaftsnetz Görlitz-Innenstadt 2025–2026",
                (date(2025, 1, 1), date(2026, 12, 31)),
                summary="Ehrenamtliche Nachbarschaftslotsen verbinden alteingesessene und zugezogene Familien in der Innenstadt.",
                goals="Vierzig Nachbarschaftslotsen sind ausgebildet; vier Bürgerforen pro Jahr finden statt.",
                target_groups="Familien, Ehrenamtliche und Vereine in der Görlitzer Innenstadt",
                region="Görlitz-Innenstadt",
            ),
            [
                ("staff", "Pädagogische Fachkraft (0,75 VZÄ, EG S 12 TVöD SuE)", 2025, "30000"),
                ("fees", "Honorare Trainerinnen und Trainer", 2025, "6000"),
                ("material", "Arbeitsmaterial und Verbrauchsmittel", 2025, "4000"),
                ("staff", "Pädagogische Fachkraft (0,75 VZÄ, EG S 12 TVöD SuE)", 2026, "31000"),
                ("fees", "Honorare Trainerinnen und Trainer", 2026, "6000"),
                ("material", "Arbeitsmaterial und Verbrauchsmittel", 2026, "4000"),
            ],
            [
                ("own", "Eigenmittel (Mitgliedsbeiträge, Spenden)", 2025, "2000"),
                ("third_party", "Landkreis Görlitz", 2025, "2000"),
                ("own", "Eigenmittel (Mitgliedsbeiträge, Spenden)", 2026, "2100"),
                ("third_party", "Landkreis Görlitz", 2026, "2000"),
                ("grant", pfd, 2025, "36000"),
                ("grant", pfd, 2026, "36900"),
            ],
        ),
        # A small project whose final proof is overdue and whose money was never reported as used.
        Awarded(
            "proof_overdue",
            _project(
                "GR",
                "WOS-K",
                "SN",
                "Görlitzer Stadtgespräche 2025",
                (date(2025, 4, 1), date(2025, 10, 31)),
                summary="Sechs öffentliche Gesprächsabende zu Stadtentwicklung und Zusammenleben in Görlitz.",
                goals="Jeder Abend erreicht mindestens 40 Teilnehmende; die Ergebnisse gehen an den Stadtrat.",
                target_groups="Einwohnerinnen und Einwohner von Görlitz",
                region="Görlitz",
                financing_type="share",
            ),
            [
                ("fees", "Honorar Moderation und Prozessbegleitung", 2025, "5000"),
                ("material", "Raummiete für Veranstaltungen", 2025, "2000"),
                ("public_relations", "Flyer, Plakate und Website", 2025, "1500"),
                ("travel", "Fahrtkosten Teilnehmende (ÖPNV-Tickets)", 2025, "500"),
            ],
            [
                ("own", "Haushaltsmittel der Stadt", 2025, "450"),
                ("grant", "Weltoffenes Sachsen – Kleinprojekte", 2025, "8550"),
            ],
        ),
        # Exit programme (DOMAIN.md §6, §9): permitted to start early, individual help under case
        # pseudonyms within the cap per case and year, rent and salaries with their payees.
        Awarded(
            "exit_individual_help",
            _project(
                "AUS",
                "WOS",
                "SN-KORA",
                "Ausstiegshilfen Sachsen 2025",
                (date(2025, 2, 1), date(2025, 12, 31)),
                summary="Beratungsstelle und Einzelfallhilfen für Menschen, die die rechtsextreme Szene verlassen.",
                goals="Zwölf Ausstiegswillige werden begleitet; mindestens sechs erhalten eine Einzelfallhilfe für den Neuanfang.",
                target_groups="Ausstiegswillige Personen in Sachsen",
                region="Sachsen",
                financing_type="share",
            ),
            [
                ("staff", "Ausstiegsberatung (1,0 VZÄ, EG 10 TV-L)", 2025, "48000"),
                ("material", "Miete Beratungsstelle", 2025, "9600"),
                (
                    "individual_help",
                    "Einzelfallhilfen (Umzug, Schulden, Tattooentfernung, Ausbildung)",
                    2025,
                    "12000",
                ),
            ],
            [
                ("own", "Eigenmittel (Spenden)", 2025, "3480"),
                ("grant", "Weltoffenes Sachsen für Demokratie und Toleranz", 2025, "66120"),
            ],
        ),
        # Running now: drawdowns requested, certified and ordered; an amendment awaits its decision.
        Awarded(
            "current",
            _project(
                "JBW",
                "DL-PFD",
                "SN-DD",
                "Kinder- und Jugendbüro Dresden-Neustadt",
                (start, end),
                summary="Ein Büro im Stadtteil, in dem Kinder und Jugendliche Beteiligungsvorhaben planen und Beratung erhalten.",
                goals="Jedes Jahr bringen Kinder und Jugendliche mindestens fünf eigene Vorhaben in den Stadtbezirksbeirat ein.",
                target_groups="Kinder und Jugendliche von 10 bis 21 Jahren",
                region="Dresden-Neustadt",
            ),
            [
                line
                for year in (y1, y2)
                for line in (
                    ("staff", "Bildungsreferent/in (1,0 VZÄ, EG 11 TV-L)", year, "24000"),
                    ("fees", "Honorare Workshopleitung (60 € je Stunde)", year, "5000"),
                    ("material", "Miete Veranstaltungstechnik", year, "3000"),
                    ("public_relations", "Dokumentation und Social Media", year, "2000"),
                )
            ],
            [
                line
                for year in (y1, y2)
                for line in (
                    ("own", "Eigenmittel (Mitgliedsbeiträge, Spenden)", year, "1700"),
                    ("third_party", "Landeshauptstadt Dresden, Jugendamt", year, "1700"),
                    ("grant", pfd, year, "30600"),
                )
            ],
        ),
    ]


# --- proofs --------------------------------------------------------------------------------

# The final proof of the settled reclaim, imported as a CSV file (Planposition = line number).
RECLAIM_RECEIPTS_CSV = "\n".join(
    [
        "Belegnummer;Datum;Zahlungsempfänger/Einzahler;Zahlungsgrund;Betrag;Planposition",
        *(
            f"P-{q};{day};Gehaltsabrechnung Projektkoordination;Personalkosten {q}. Quartal 2025;9.500,00;1"
            for q, day in enumerate(("31.03.2025", "30.06.2025", "30.09.2025", "19.12.2025"), start=1)
        ),
        *(
            f"H-{i};{day};{name};Moderation Stadtteilforum;2.300,00;2"
            for i, (day, name) in enumerate(
                [
                    ("12.03.2025", "Anna Berger, Moderation"),
                    ("14.05.2025", "Anna Berger, Moderation"),
                    ("09.07.2025", "Kollektiv Dialogwerk GbR"),
                    ("17.09.2025", "Kollektiv Dialogwerk GbR"),
                    ("12.11.2025", "Anna Berger, Moderation"),
                ],
                start=1,
            )
        ),
        *(
            f"S-{i};{day};{name};{reason};{amount};3"
            for i, (day, name, reason, amount) in enumerate(
                [
                    ("28.02.2025", "Ost-Passage Theater e.V.", "Raummiete 1. Halbjahr", "1.500,00"),
                    ("31.05.2025", "Ost-Passage Theater e.V.", "Raummiete 2. Quartal", "1.500,00"),
                    ("29.08.2025", "Ost-Passage Theater e.V.", "Raummiete 3. Quartal", "1.500,00"),
                    ("28.11.2025", "Ost-Passage Theater e.V.", "Raummiete 4. Quartal", "1.500,00"),
                    (
                        "18.06.2025",
                        "Café Eisenbahnstraße",
                        "Verpflegung Stadtteilforen 1. Halbjahr",
                        "2.000,00",
                    ),
                    (
                        "10.12.2025",
                        "Café Eisenbahnstraße",
                        "Verpflegung Stadtteilforen 2. Halbjahr",
                        "2.000,00",
                    ),
                ],
                start=1,
            )
        ),
        "F-1;15.04.2025;Leipziger Verkehrsbetriebe;Fahrkarten Referentinnen;250,00;4",
        "F-2;20.10.2025;Leipziger Verkehrsbetriebe;Fahrkarten Referentinnen;250,00;4",
    ]
)

# (number, date, payee, reason, amount, plan line text) of the final proof with a last payment.
LAST_PAYMENT_RECEIPTS: list[tuple[str, date, str, str, str, str]] = [
    *(
        (f"H-{i}", day, "Planspielwerkstatt Dresden GbR", "Workshops Projekttage", "3100", "Honorare")
        for i, day in enumerate(
            [date(2025, 4, 10), date(2025, 6, 12), date(2025, 9, 25), date(2025, 11, 13)], start=1
        )
    ),
    ("M-1", date(2025, 3, 20), "Papier & Co. Dresden", "Moderationsmaterial", "1900", "Arbeitsmaterial"),
    ("M-2", date(2025, 9, 2), "Papier & Co. Dresden", "Moderationsmaterial", "1900", "Arbeitsmaterial"),
    *(
        (f"Ö-{i}", day, "Medienbüro Neustadt", "Fotodokumentation Projekttag", "1300", "Dokumentation")
        for i, day in enumerate([date(2025, 5, 8), date(2025, 8, 28), date(2025, 11, 20)], start=1)
    ),
]

NARRATIVES = {
    "exit_individual_help": (
        "Die Beratungsstelle öffnete nach Zustimmung zum vorzeitigen Maßnahmebeginn im Februar 2025. "
        "Vierzehn Ausstiegswillige wurden begleitet; sechs erhielten eine Einzelfallhilfe für Umzug, "
        "Schuldenregulierung, Tattooentfernung oder Ausbildung. Die Zuordnung der Fallpseudonyme "
        "liegt beim Träger."
    ),
    "settled_reclaim": (
        "Im Jahr 2025 fanden zwölf Stadtteilforen mit durchschnittlich 35 Teilnehmenden statt. "
        "Sieben Vorschläge wurden an den Stadtbezirksbeirat Ost weitergegeben, drei davon sind "
        "beschlossen. Die Sachkosten lagen über dem Plan, weil zwei Foren in größere Räume "
        "verlegt werden mussten; die Reisekosten fielen geringer aus. Die Sparkasse Leipzig hat "
        "die Verpflegung mit einer Spende unterstützt."
    ),
    "settled_last_payment": (
        "An acht Oberschulen fanden je zwei Projekttage statt; 214 Schülerinnen und Schüler "
        "haben teilgenommen. Sechs Schulen setzen ihr Vorhaben bereits um, darunter zwei "
        "Schülerhaushalte."
    ),
    "running_two_years": (
        "Im ersten Projektjahr wurden 23 Nachbarschaftslotsen ausgebildet. Vier Bürgerforen "
        "fanden statt. Die Mittel des ersten Abrufs wurden wegen der verspäteten Besetzung der "
        "Fachkraftstelle erst im Juni verausgabt."
    ),
    "proof_overdue": "Entwurf: Fünf der sechs Gesprächsabende haben stattgefunden; der Bericht folgt.",
}


# The exit programme's receipt list: rent and salaries name their payees, individual help names
# case pseudonyms only (the register stays with the carrier). (number, day, payee, reason,
# amount, category of the plan line)
EXIT_RECEIPTS = [
    *(
        (
            f"M-{month:02d}",
            date(2025, month, 15),
            "Wohnungsgenossenschaft Dresden-Johannstadt eG",
            f"Miete Beratungsstelle {month:02d}/2025",
            "800.00",
            "material",
        )
        for month in range(2, 13)
    ),
    *(
        (
            f"G-{q}",
            day,
            "Gehaltsabrechnung Ausstiegsberatung",
            f"Personalkosten {q}. Quartal 2025",
            "11750.00",
            "staff",
        )
        for q, day in enumerate(
            (date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 19)), start=1
        )
    ),
    ("E-1", date(2025, 3, 20), "Fall-0001", "Umzug", "1450.00", "individual_help"),
    ("E-2", date(2025, 3, 24), "Fall-0001", "Mietkaution", "900.00", "individual_help"),
    ("E-3", date(2025, 4, 14), "Fall-0002", "Schuldenregulierung", "2500.00", "individual_help"),
    ("E-4", date(2025, 5, 8), "Fall-0003", "Tattooentfernung", "1200.00", "individual_help"),
    ("E-5", date(2025, 6, 16), "Fall-0004", "Ausbildung (Führerschein)", "1800.00", "individual_help"),
    ("E-6", date(2025, 8, 4), "Fall-0005", "Umzug", "950.00", "individual_help"),
    ("E-7", date(2025, 9, 22), "Fall-0006", "Tattooentfernung", "600.00", "individual_help"),
    ("E-8", date(2025, 11, 10), "Fall-0006", "Ausbildung (Sprachkurs)", "1350.00", "individual_help"),
]
