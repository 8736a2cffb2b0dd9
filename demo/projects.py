"""The demo applications: one row per project, with the state the demo leaves it in.

Natural key: (carrier, title). ``grant`` is the grant requested per budget year, ``cofin`` the
co-financing in percent of the expenditure and ``third`` the part of the co-financing that
comes from third parties (``third_source``). ``variant`` gives some applications a longer
history: ``loop`` (a revision request answered before the check goes on), ``returned`` (the
approver sends the first proposal back), ``early`` (rejection proposed straight from the
formal check), ``after_check`` (withdrawn during the formal check).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CARRIER_KEYS = {
    "LO": "Bürgerbündnis Leipziger Osten e.V.",
    "JBW": "Jugendbildungswerk Dresden-Neustadt e.V.",
    "DLV": "Demokratieladen Vorpommern e.V.",
    "LSB": "Landessportbund Sachsen e.V.",
    "LFV": "Landesfeuerwehrverband Mecklenburg-Vorpommern e.V.",
    "DRK": "DRK-Kreisverband Görlitz e.V.",
    "KG": "Evangelisch-Lutherische Kirchengemeinde St. Johannis Rostock",
    "GR": "Stadt Görlitz",
    "AUS": "Ausstieg Sachsen – Wege aus dem Extremismus e.V.",
    "MA": "Mannheimer Bündnis für Vielfalt und Zusammenhalt e.V.",
    "BWT": "Bildungswerk für Demokratie und Teilhabe gGmbH",
}

Y2027 = (date(2027, 1, 1), date(2027, 12, 31))
Y2027_28 = (date(2027, 1, 1), date(2028, 12, 31))
Y2027_29 = (date(2027, 1, 1), date(2029, 12, 31))
SMALL = (date(2027, 2, 1), date(2027, 12, 31))  # 11 months, ends by 31 December
SMALL_SPRING = (date(2027, 3, 1), date(2027, 9, 30))


@dataclass(frozen=True)
class Project:
    carrier: str  # key of CARRIER_KEYS
    programme: str  # programme code
    office: str  # office code
    state: str  # the state the demo leaves the application in
    title: str
    summary: str
    goals: str
    target_groups: str
    region: str
    period: tuple[date, date]
    grant: int  # requested per budget year, EUR
    cofin: int = 10  # percent of expenditure
    third: Decimal = Decimal("0.5")  # share of the co-financing from third parties
    third_source: str = "Kommunale Kofinanzierung"
    financing_type: str = "deficit"
    variant: str = ""
    revision: str = ""  # what the office asks the carrier to revise
    reasons: str = ""  # reasons for a rejection
    note: str = ""  # the carrier's reason for a withdrawal

    @property
    def carrier_name(self) -> str:
        return CARRIER_KEYS[self.carrier]


P = Project

# fmt: off
PROJECTS: list[Project] = [
    # --- Bürgerbündnis Leipziger Osten (PfD Leipzig) ------------------------------------------
    P("LO", "DL-PFD", "SN-L", "approved", "Nachbarschaftsdialoge im Leipziger Osten",
      "Moderierte Gesprächsrunden in Höfen, Läden und Vereinsräumen entlang der Eisenbahnstraße.",
      "Nachbarinnen und Nachbarn unterschiedlicher Herkunft tragen Konflikte im Quartier friedlich aus.",
      "Bewohnerinnen und Bewohner des Leipziger Ostens, Gewerbetreibende", "Leipzig-Volkmarsdorf", Y2027,
      38000, third_source="Stadt Leipzig, Amt für Jugend und Familie", variant="loop",
      revision="Bitte reichen Sie den aktuellen Freistellungsbescheid des Finanzamts nach und erläutern Sie die Honorarsätze (Position 2)."),
    P("LO", "DL-PFD", "SN-L", "content_review", "Demokratiewerkstatt Eisenbahnstraße",
      "Wöchentliche Werkstatt, in der Jugendliche eigene Beteiligungsprojekte planen und umsetzen.",
      "Jugendliche bringen mindestens drei Vorhaben in den Stadtbezirksbeirat Ost ein.",
      "Jugendliche von 14 bis 21 Jahren", "Leipzig-Ost", Y2027, 24500, cofin=12,
      third_source="Stadt Leipzig, Stadtbezirksbeirat Ost"),
    P("LO", "DL-PFD", "SN-L", "draft", "Stadtteilzeitung „Ostwind“ – Beteiligung durch Lokaljournalismus",
      "Eine Redaktion aus Ehrenamtlichen gibt viermal im Jahr eine mehrsprachige Stadtteilzeitung heraus.",
      "Menschen im Quartier erhalten verlässliche lokale Informationen und eine eigene Stimme.",
      "Ehrenamtliche Schreibende, Leserinnen und Leser im Leipziger Osten", "Leipzig-Ost", Y2027, 18000),
    P("LO", "DL-PFD", "SN-L", "revision_requested", "Stadtteilmütter im Leipziger Osten",
      "Geschulte Mütter mit Migrationsgeschichte begleiten Familien zu Behörden, Schulen und Beratungsstellen.",
      "Familien nutzen Bildungs- und Beteiligungsangebote im Stadtteil selbstständig.",
      "Zugewanderte Familien mit Kindern", "Leipzig-Neustadt-Neuschönefeld", Y2027, 31000,
      revision="Die Kofinanzierung durch die Stadt ist nicht belegt. Bitte reichen Sie eine Bestätigung der Stadt Leipzig über die Drittmittel nach."),
    P("LO", "WOS-K", "SN", "withdrawn", "Sommerfest der Vielfalt am Rabet",
      "Ein Nachbarschaftsfest mit Initiativen, Vereinen und Kulturgruppen aus dem Stadtteil.",
      "Initiativen im Quartier lernen sich kennen und vernetzen sich.",
      "Anwohnende, Vereine und Initiativen im Leipziger Osten", "Leipzig-Ost", SMALL_SPRING, 6800, cofin=5,
      third=Decimal("0"), financing_type="share",
      note="Das Fest wird 2027 vollständig von der Stadt Leipzig ausgerichtet; wir ziehen den Antrag zurück."),
    # --- Jugendbildungswerk Dresden-Neustadt -------------------------------------------------------
    P("JBW", "DL-PFD", "SN-DD", "approved", "Jugendforum Dresden-Neustadt 2027",
      "Ein Jugendforum mit eigenem Fonds, aus dem Jugendliche Kleinprojekte im Stadtteil fördern.",
      "Jugendliche entscheiden selbst über Projekte und lernen demokratische Verfahren kennen.",
      "Jugendliche von 12 bis 27 Jahren", "Dresden-Neustadt", Y2027, 42000,
      third_source="Landeshauptstadt Dresden, Jugendamt"),
    P("JBW", "WOS", "SN", "approval_proposed", "Planspiel Kommunalpolitik an Dresdner Oberschulen",
      "Schulklassen spielen eine Stadtratssitzung nach und diskutieren mit echten Stadträtinnen und Stadträten.",
      "Schülerinnen und Schüler kennen kommunale Entscheidungswege und trauen sich Beteiligung zu.",
      "Schülerinnen und Schüler der Klassen 8 bis 10", "Dresden", Y2027, 54000, cofin=5, third=Decimal("0"),
      financing_type="share"),
    P("JBW", "WOS-K", "SN", "submitted", "Fake News erkennen – Medienkompetenz-Workshops für Jugendliche",
      "Sechs Workshops in Jugendclubs zu Desinformation, Bildfälschungen und Hassrede im Netz.",
      "Jugendliche prüfen Nachrichten kritisch und reagieren souverän auf Hassrede.",
      "Jugendliche in offenen Jugendeinrichtungen", "Dresden", SMALL, 7400, cofin=6, third=Decimal("0"),
      financing_type="share"),
    P("JBW", "WOS-K", "SN", "revision_requested",
      "Erinnerungsorte in der Neustadt – Jugendliche recherchieren Stadtgeschichte",
      "Jugendliche erforschen Orte jüdischen Lebens in der Neustadt und gestalten einen digitalen Stadtrundgang.",
      "Ein von Jugendlichen erstellter Rundgang ist öffentlich nutzbar.", "Jugendliche von 14 bis 18 Jahren",
      "Dresden-Neustadt", SMALL, 9200, cofin=5, third=Decimal("0"), financing_type="share",
      revision="Bitte konkretisieren Sie die Ziele (Zahl der Teilnehmenden, Zahl der Stationen) und legen Sie ein Angebot für die App-Programmierung vor."),
    P("JBW", "WOS-K", "SN", "rejected", "Graffiti statt Hass – Kunstprojekt an der Scheune",
      "Jugendliche gestalten gemeinsam mit Künstlerinnen eine Wand zum Thema Vielfalt.",
      "Jugendliche setzen sich künstlerisch mit Vorurteilen auseinander.", "Jugendliche aus der Neustadt",
      "Dresden-Neustadt", SMALL_SPRING, 8500, cofin=5, third=Decimal("0"), financing_type="share",
      reasons="Das Vorhaben wird bereits vollständig aus dem Stadtbezirksbudget Neustadt gefördert; eine Doppelförderung ist ausgeschlossen."),
    # --- Demokratieladen Vorpommern --------------------------------------------------------------
    P("DLV", "DL-PFD", "MV-VG", "approved", "Demokratiemobil Vorpommern – Beteiligung im ländlichen Raum",
      "Ein umgebauter Kleinbus bringt Beteiligungsformate in Dörfer ohne Treffpunkte.",
      "In 20 Gemeinden entstehen Gesprächsrunden zwischen Bürgerinnen, Bürgern und Gemeindevertretung.",
      "Bewohnerinnen und Bewohner kleiner Gemeinden", "Landkreis Vorpommern-Greifswald", Y2027_28, 46000,
      third_source="Landkreis Vorpommern-Greifswald", variant="returned"),
    P("DLV", "MV-LP", "MV", "formal_check", "Zukunftswerkstätten in Dörfern um Anklam",
      "Moderierte Zukunftswerkstätten, in denen Dorfgemeinschaften eigene Vorhaben entwickeln.",
      "Jede beteiligte Gemeinde setzt mindestens ein gemeinsames Vorhaben um.",
      "Dorfgemeinschaften, Vereine, Gemeindevertretungen", "Amt Anklam-Land", Y2027, 28000, cofin=20,
      third_source="Amt Anklam-Land", financing_type="share"),
    P("DLV", "MV-LP", "MV", "draft", "Hanse-Talk: Gesprächsreihe zu Demokratie und Alltag",
      "Monatliche Gesprächsabende in Greifswald mit Gästen aus Politik, Wissenschaft und Ehrenamt.",
      "Bürgerinnen und Bürger diskutieren kontroverse Themen respektvoll.",
      "Interessierte Öffentlichkeit in Greifswald", "Greifswald", Y2027, 12500, cofin=20,
      third_source="Universitäts- und Hansestadt Greifswald", financing_type="share"),
    P("DLV", "DL-PFD", "MV-VG", "rejection_proposed",
      "Engagiert in Greifswald – Fortbildung für Ehrenamtliche",
      "Fortbildungsreihe für Ehrenamtliche in Vereinen zu Vereinsrecht und Öffentlichkeitsarbeit.",
      "Ehrenamtliche führen ihre Vereine sicherer.", "Ehrenamtliche in Greifswalder Vereinen", "Greifswald",
      Y2027, 15000,
      reasons="Die Fortbildung betrifft allgemeine Vereinsarbeit; ein Bezug zu Demokratieförderung oder Extremismusprävention nach Nr. 2 der Förderrichtlinie ist nicht erkennbar."),
    # --- Landessportbund Sachsen (Z:T) -------------------------------------------------------------
    P("LSB", "ZT-S1", "BPB", "approved", "Demokratietrainerinnen und -trainer im Sportverein",
      "Ausbildung und Begleitung von Vereinsmitgliedern, die bei Diskriminierung und extremistischen Vorfällen beraten.",
      "In jedem sächsischen Kreissportbund sind zwei ausgebildete Demokratietrainer aktiv.",
      "Vorstände, Übungsleitende und Mitglieder sächsischer Sportvereine", "Sachsen", Y2027_29, 152000,
      cofin=20, third=Decimal("0.3"), third_source="Sächsisches Staatsministerium des Innern (Sportförderung)"),
    P("LSB", "ZT-S2", "BPB", "approval_proposed", "Fair Play im Vereinsvorstand – Beratung bei Konflikten",
      "Aufsuchende Beratung von Vereinsvorständen bei Konflikten, Diskriminierung und Unterwanderungsversuchen.",
      "Vereine verankern Leitbilder und Verfahren für den Umgang mit Konflikten in ihrer Satzung.",
      "Vereinsvorstände im organisierten Sport", "Sachsen", Y2027_28, 184000, cofin=20, third=Decimal("0.25"),
      third_source="Landessportbund Sachsen, Sportjugend"),
    P("LSB", "ZT-S1", "BPB", "submitted", "Vielfalt im Nachwuchssport – Qualifizierung von Übungsleitenden",
      "Module zu Vielfalt und Kinderschutz in der Übungsleiterausbildung.",
      "Alle neuen Übungsleitenden durchlaufen das Modul Vielfalt.",
      "Übungsleitende im Kinder- und Jugendsport", "Sachsen", Y2027, 96000, cofin=20, third=Decimal("0")),
    P("LSB", "ZT-S2", "BPB", "content_review", "Sportvereine gegen Rechtsextremismus in Ostsachsen",
      "Regionale Netzwerke von Sportvereinen, Kommunen und Beratungsstellen in Bautzen und Görlitz.",
      "Vereine erkennen extremistische Einflussnahme und holen sich frühzeitig Beratung.",
      "Sportvereine in den Landkreisen Bautzen und Görlitz", "Ostsachsen", Y2027_28, 118000, cofin=22,
      third=Decimal("0.4"), third_source="Landkreis Bautzen"),
    # --- Landesfeuerwehrverband M-V ------------------------------------------------------------------
    P("LFV", "ZT-S1", "BPB", "approved", "Demokratie im Feuerwehrhaus – Wehrführungen stärken",
      "Fortbildung und Coaching für Wehrführerinnen und Wehrführer zu Teamkultur und Konfliktmoderation.",
      "Wehrführungen moderieren Konflikte sicher und schreiten bei menschenfeindlichen Äußerungen ein.",
      "Wehrführungen der Freiwilligen Feuerwehren in M-V", "Mecklenburg-Vorpommern", Y2027_29, 138000,
      cofin=20, third=Decimal("0.3"), third_source="Ministerium für Inneres, Bau und Digitalisierung M-V",
      variant="returned"),
    P("LFV", "ZT-S1", "BPB", "revision_requested",
      "Jugendfeuerwehr mischt mit – Beteiligung in der Jugendarbeit",
      "Jugendforen in den Kreisjugendfeuerwehren, in denen Jugendliche über Ausbildung und Freizeit mitentscheiden.",
      "Jede Kreisjugendfeuerwehr hat ein gewähltes Jugendforum.",
      "Mitglieder der Jugendfeuerwehren von 10 bis 18 Jahren", "Mecklenburg-Vorpommern", Y2027_28, 74000,
      cofin=20, third=Decimal("0.2"), third_source="Landesjugendring M-V",
      revision="Die Personalkosten sind nicht nachvollziehbar: Bitte geben Sie Stellenumfang und Eingruppierung (TV-L) der Projektstelle an."),
    P("LFV", "MV-LP", "MV", "approved",
      "Ehrenamt schützen – Umgang mit extremistischen Äußerungen in der Wehr",
      "Leitfaden und Schulungen für Wehren, wie sie mit extremistischen Äußerungen im Dienst umgehen.",
      "Ein landesweiter Leitfaden liegt vor; 30 Wehren sind geschult.",
      "Führungskräfte und Mitglieder Freiwilliger Feuerwehren", "Mecklenburg-Vorpommern", Y2027, 36000,
      cofin=20, third=Decimal("0"), financing_type="share"),
    P("LFV", "ZT-S2", "BPB", "withdrawn",
      "Kameradschaft und Vielfalt – Integrationslotsen in Freiwilligen Feuerwehren",
      "Lotsinnen und Lotsen gewinnen Zugewanderte für die Freiwillige Feuerwehr und begleiten sie in der Ausbildung.",
      "In zehn Wehren engagieren sich Zugewanderte aktiv.", "Zugewanderte, Freiwillige Feuerwehren",
      "Rostock und Landkreis Rostock", Y2027_28, 88000, cofin=20, third=Decimal("0"), variant="after_check",
      note="Die Landesregierung fördert das Vorhaben ab 2027 aus Landesmitteln; der Antrag wird zurückgezogen."),
    # --- DRK-Kreisverband Görlitz --------------------------------------------------------------------
    P("DRK", "WOS-K", "SN", "approved", "Begegnungscafé Görlitz–Zgorzelec",
      "Ein deutsch-polnisches Begegnungscafé mit Sprachtandems und gemeinsamen Ausflügen.",
      "Nachbarinnen und Nachbarn beiderseits der Neiße begegnen sich regelmäßig.",
      "Einwohnerinnen und Einwohner von Görlitz und Zgorzelec", "Görlitz", SMALL, 9600, cofin=5,
      third=Decimal("0"), financing_type="share"),
    P("DRK", "ZT-S1", "BPB", "formal_check", "Konfliktlotsen in Gemeinschaftsunterkünften",
      "Ehrenamtliche Konfliktlotsinnen und -lotsen vermitteln in Gemeinschaftsunterkünften des Landkreises.",
      "Konflikte in den Unterkünften werden früh und gewaltfrei gelöst.",
      "Bewohnende und Mitarbeitende von Gemeinschaftsunterkünften", "Landkreis Görlitz", Y2027_28, 67000,
      cofin=20, third=Decimal("0.5"), third_source="Landkreis Görlitz"),
    P("DRK", "WOS", "SN", "rejected", "Erste Hilfe für Demokratie – Argumentationstraining für Ehrenamtliche",
      "Argumentationstrainings gegen Stammtischparolen für Ehrenamtliche im Sanitäts- und Sozialdienst.",
      "Ehrenamtliche reagieren sicher auf diskriminierende Äußerungen.",
      "Ehrenamtliche des DRK im Landkreis Görlitz", "Landkreis Görlitz", Y2027, 22000, cofin=5,
      third=Decimal("0"), financing_type="share", variant="early",
      reasons="Für das Jahr 2027 liegt bereits eine Bewilligung für ein inhaltsgleiches Training des Landesverbands vor; eine Doppelförderung ist ausgeschlossen."),
    P("DRK", "DL-PFD", "SN-GR", "draft", "Gesundheitslotsinnen für zugewanderte Familien",
      "Geschulte Lotsinnen begleiten zugewanderte Familien in das Gesundheitssystem und in Elternangebote.",
      "Familien finden passende Angebote und nehmen Vorsorgetermine wahr.",
      "Zugewanderte Familien im Landkreis Görlitz", "Görlitz", Y2027, 26000,
      third_source="Landkreis Görlitz, Gesundheitsamt"),
    # --- Kirchengemeinde St. Johannis Rostock ---------------------------------------------------------
    P("KG", "DL-PFD", "MV-HRO", "approved", "Offene Kirche – Gesprächsabende zu Demokratie und Glauben",
      "Monatliche offene Abende in der Kirche mit Gästen aus Stadtgesellschaft, Politik und Religionsgemeinschaften.",
      "Menschen mit unterschiedlichen Überzeugungen kommen respektvoll ins Gespräch.",
      "Gemeindeglieder und interessierte Öffentlichkeit", "Rostock-Stadtmitte", Y2027, 14500,
      third_source="Kirchenkreis Mecklenburg"),
    P("KG", "MV-LP", "MV", "approval_proposed", "Gedenkweg Lichtenhagen 1992–2027",
      "Ein Gedenkweg mit Stationen zu den rassistischen Ausschreitungen von 1992, erarbeitet mit Zeitzeuginnen.",
      "Der Gedenkweg ist eröffnet; Schulklassen nutzen ein Begleitheft.",
      "Schulklassen, Anwohnende, Besuchende", "Rostock-Lichtenhagen", Y2027, 44000, cofin=25,
      third=Decimal("0.6"), third_source="Hanse- und Universitätsstadt Rostock", financing_type="share"),
    P("KG", "MV-LP", "MV", "submitted", "Konfi-Camp „Haltung zeigen“",
      "Ein Sommercamp für Konfirmandinnen und Konfirmanden zu Zivilcourage und Menschenwürde.",
      "Jugendliche entwickeln eigene Aktionen gegen Ausgrenzung in ihren Gemeinden.",
      "Konfirmandinnen und Konfirmanden aus dem Kirchenkreis", "Rostock", Y2027, 9800, cofin=20,
      third=Decimal("0.5"), third_source="Teilnahmebeiträge", financing_type="share"),
    P("KG", "DL-PFD", "MV-HRO", "rejection_proposed", "Interreligiöser Dialog im Rostocker Nordwesten",
      "Dialogabende von Kirchengemeinde, Moscheeverein und jüdischer Gemeinde.",
      "Religionsgemeinschaften im Stadtteil arbeiten dauerhaft zusammen.",
      "Mitglieder der Religionsgemeinschaften, Anwohnende", "Rostock-Lütten Klein", Y2027, 11000,
      variant="early",
      reasons="Die Kofinanzierung ist nicht gesichert: Die im Finanzierungsplan angegebenen Drittmittel sind weder zugesagt noch beantragt."),
    # --- Stadt Görlitz ----------------------------------------------------------------------------------
    # The city's own partnership grants (the first grants of PfD Görlitz) are in demo.chain.
    P("GR", "WOS", "SN", "content_review", "Kinder- und Jugendparlament Görlitz",
      "Aufbau eines gewählten Kinder- und Jugendparlaments mit Rede- und Antragsrecht im Stadtrat.",
      "Das Jugendparlament ist gewählt und bringt eigene Anträge in den Stadtrat ein.",
      "Kinder und Jugendliche von 10 bis 21 Jahren", "Görlitz", Y2027, 47000, cofin=8, third=Decimal("0"),
      financing_type="share", variant="loop",
      revision="Bitte legen Sie den Stadtratsbeschluss zur Einrichtung des Jugendparlaments vor."),
    P("GR", "WOS", "SN", "withdrawn", "Bürgerhaushalt Görlitz – Beteiligungsformate erproben",
      "Erprobung eines Bürgerhaushalts mit Online-Abstimmung und Stadtteilversammlungen.",
      "Bürgerinnen und Bürger entscheiden über 100.000 € des städtischen Haushalts.",
      "Einwohnerinnen und Einwohner von Görlitz", "Görlitz", Y2027, 63000, cofin=10, third=Decimal("0"),
      financing_type="share", note="Der Stadtrat hat den Bürgerhaushalt auf 2028 verschoben."),
    # --- Ausstieg Sachsen (confidential) ----------------------------------------------------------------
    P("AUS", "WOS", "SN-KORA", "approved", "Ausstiegsbegleitung Rechtsextremismus Sachsen 2027",
      "Vertrauliche Begleitung von Menschen, die die rechtsextreme Szene verlassen wollen.",
      "Begleitete Personen lösen sich dauerhaft von der Szene und bauen ein neues Umfeld auf.",
      "Ausstiegswillige Personen und ihr Umfeld", "Sachsen", Y2027, 126000, cofin=5, third=Decimal("0"),
      financing_type="share"),
    P("AUS", "DL-MP", "SN-KORA", "approval_proposed", "Angehörigenberatung bei Radikalisierung",
      "Beratung von Eltern, Partnerinnen und Partnern radikalisierter Menschen.",
      "Angehörige erhalten Handlungssicherheit und stärken Distanzierungsprozesse.",
      "Angehörige und Bezugspersonen", "Sachsen", Y2027_28, 96000,
      third_source="Sächsisches Staatsministerium der Justiz"),
    P("AUS", "WOS", "SN-KORA", "content_review", "Distanzierungsarbeit im Justizvollzug",
      "Gruppen- und Einzelangebote zur Distanzierung für junge Inhaftierte.",
      "Teilnehmende setzen sich mit ihren Einstellungen auseinander und bereiten die Entlassung vor.",
      "Junge Inhaftierte in sächsischen Justizvollzugsanstalten", "Sachsen", Y2027, 78000, cofin=5,
      third=Decimal("0"), financing_type="share"),
    # --- Mannheimer Bündnis (Baden-Württemberg) -----------------------------------------------------
    P("MA", "DL-PFD", "BW-MA", "approved", "Vielfalt im Quartier – Neckarstadt-West",
      "Nachbarschaftsprojekte, Sprachcafés und ein Quartiersrat in der Neckarstadt-West.",
      "Der Quartiersrat tagt regelmäßig und wird von der Stadtverwaltung angehört.",
      "Bewohnerinnen und Bewohner der Neckarstadt-West", "Mannheim-Neckarstadt-West", Y2027, 36000,
      third_source="Stadt Mannheim, Fachbereich Demokratie und Strategie"),
    P("MA", "DL-PFD", "BW-MA", "formal_check", "Demokratiecafé Jungbusch",
      "Ein offenes Café mit Diskussionsabenden zu Kommunalpolitik und Zusammenleben.",
      "Menschen aus dem Stadtteil bringen Anliegen in den Bezirksbeirat ein.", "Anwohnende im Jungbusch",
      "Mannheim-Jungbusch", Y2027, 16500),
    P("MA", "DL-MP", "BW", "revision_requested", "Gegen Antisemitismus – Workshops an Mannheimer Schulen",
      "Workshops mit Schulklassen zu aktuellem Antisemitismus, entwickelt mit der jüdischen Gemeinde.",
      "Lehrkräfte und Schülerinnen und Schüler erkennen antisemitische Muster und widersprechen.",
      "Schülerinnen und Schüler ab Klasse 9, Lehrkräfte", "Mannheim", Y2027_28, 72000,
      third_source="Stiftung Erinnerung", variant="loop",
      revision="Bitte ergänzen Sie das Evaluationskonzept des Modellprojekts und die Kooperationsvereinbarung mit den Schulen."),
    P("MA", "DL-PFD", "BW-MA", "rejected", "Community Organizing in Mannheim-Schönau",
      "Organisierung von Mieterinnen und Mietern zur Verbesserung der Wohnsituation.",
      "Mieterinnen und Mieter vertreten ihre Interessen gegenüber der Wohnungsgesellschaft.",
      "Mieterinnen und Mieter in Mannheim-Schönau", "Mannheim-Schönau", Y2027, 29000,
      reasons="Mieterberatung ist kein Förderschwerpunkt der Partnerschaft für Demokratie; das Vorhaben ist an die Quartiersarbeit der Stadt Mannheim zu richten."),
    # --- Bildungswerk für Demokratie und Teilhabe (model projects, LPR) ------------------------------------
    P("BWT", "DL-MP", "BAFZA", "approval_proposed", "Digitale Demokratiebildung in der Berufsschule",
      "Modellprojekt: digitale Lernmodule zu Demokratie, Mitbestimmung und Desinformation für Auszubildende.",
      "Die Module sind an zwölf Berufsschulzentren erprobt und frei lizenziert veröffentlicht.",
      "Auszubildende und Lehrkräfte an Berufsschulen", "bundesweit", Y2027_28, 168000, cofin=12,
      third=Decimal("0.5"), third_source="Stiftung Mercator"),
    P("BWT", "DL-MP", "BAFZA", "rejection_proposed",
      "Prävention von Verschwörungsdenken in der Erwachsenenbildung",
      "Kursreihe an Volkshochschulen zum Umgang mit Verschwörungserzählungen.",
      "Kursleitende erkennen Verschwörungsdenken und reagieren angemessen.",
      "Kursleitende und Teilnehmende an Volkshochschulen", "Sachsen und Thüringen", Y2027, 88000,
      reasons="Das Vorhaben überträgt ein bereits erprobtes Angebot ohne neuen Ansatz; der Modellcharakter nach Nr. 2.3 der Förderrichtlinie fehlt."),
    P("BWT", "WOS", "SN-LPR", "approved", "Kommunale Präventionsräte stärken – Fortbildungsreihe",
      "Fortbildungen für Mitglieder kommunaler Präventionsräte zu Extremismus, Beteiligung und Krisenkommunikation.",
      "In zehn sächsischen Kommunen arbeiten Präventionsräte mit abgestimmten Handlungskonzepten.",
      "Mitglieder kommunaler Präventionsräte", "Sachsen", Y2027, 58000, cofin=5, third=Decimal("0"),
      financing_type="share"),
    P("BWT", "DL-MP", "BAFZA", "draft", "Lernort Demokratie – Fortbildung für Lehrkräfte",
      "Modellprojekt zur Verankerung demokratischer Schulkultur in der Lehrkräftefortbildung.",
      "Ein Fortbildungscurriculum ist entwickelt und in drei Ländern erprobt.",
      "Lehrkräfte und Schulleitungen", "Sachsen, Thüringen, Sachsen-Anhalt", Y2027_28, 142000,
      third_source="Landesamt für Schule und Bildung"),
    P("BWT", "WOS", "SN-LPR", "submitted", "Hass im Netz begegnen – Fachtage für Verwaltungen",
      "Fachtage für kommunale Verwaltungen zum Umgang mit Anfeindungen gegen Amts- und Mandatsträger.",
      "Verwaltungen haben Schutzkonzepte und Ansprechpersonen für Betroffene.",
      "Beschäftigte kommunaler Verwaltungen, Ehrenamtliche in Gemeinderäten", "Sachsen", Y2027, 34000, cofin=5,
      third=Decimal("0"), financing_type="share"),
    P("BWT", "DL-MP", "BAFZA", "formal_check", "Demokratie in der Pflegeausbildung",
      "Modellprojekt zu Menschenrechten, Vielfalt und Beteiligung in der generalistischen Pflegeausbildung.",
      "Pflegeschulen verankern Demokratiebildung in ihren Curricula.",
      "Auszubildende und Lehrende an Pflegeschulen", "Sachsen und Sachsen-Anhalt", Y2027_28, 121000, cofin=10,
      third=Decimal("0.3"), third_source="Robert Bosch Stiftung"),
]
# fmt: on
