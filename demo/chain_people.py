"""People of the Saxon partnerships for democracy (PfD): the districts and cities that run them,
the small carriers of micro-projects, the staff who are not in the login table, and the
committees (Begleitausschuss, Jugendforum) that decide on the funds.

The districts and cities are real; their addresses are those of their town halls, every
person, e-mail address and bank account is invented (as in ``demo.people``). The small
carriers are invented: neighbourhood associations, citizens' initiatives, youth groups (whose
contact person is the responsible adult who signs for them), a parish, a sports club.
"""

from __future__ import annotations

from dataclasses import dataclass

# The PfD offices of Saxony and the municipality or district that is the legal body of each
# (``Organisation.runs_office``): office code → organisation name.
LEGAL_BODIES: dict[str, str] = {
    "SN-GR": "Stadt Görlitz",
    "SN-L": "Stadt Leipzig",
    "SN-DD": "Landeshauptstadt Dresden",
    "SN-BZ": "Landkreis Bautzen",
    "SN-C": "Stadt Chemnitz",
    "SN-Z": "Landkreis Zwickau",
    "SN-ERZ": "Erzgebirgskreis",
    "SN-SOE": "Landkreis Sächsische Schweiz-Osterzgebirge",
}


def _municipality(
    name: str, street: str, postcode: str, city: str, contact: str, slug: str, bank: str, account: str
) -> dict:
    return {
        "name": name,
        "legal_form": "municipality",
        "street": street,
        "postcode": postcode,
        "city": city,
        "state": "SN",
        "contact_person": contact,
        "email": f"{slug}@example.org",
        "phone": "",
        "bank_code": bank,
        "account": account,
    }


def _small(
    name: str,
    legal_form: str,
    street: str,
    postcode: str,
    city: str,
    contact: str,
    slug: str,
    bank: str,
    account: str,
) -> dict:
    return {
        "name": name,
        "legal_form": legal_form,
        "street": street,
        "postcode": postcode,
        "city": city,
        "state": "SN",
        "contact_person": contact,
        "email": f"{slug}@example.org",
        "phone": "",
        "bank_code": bank,
        "account": account,
    }


GR = "85050100"  # Sparkasse Oberlausitz-Niederschlesien
OSD = "85050300"  # Ostsächsische Sparkasse Dresden

# Natural key: ``name`` (Stadt Görlitz is in ``demo.people``; ``runs_office`` is set from
# LEGAL_BODIES by the seed).
# fmt: off
CHAIN_CARRIERS: list[dict] = [
    # --- the legal bodies of the PfD offices ---------------------------------------------------
    _municipality(
        "Stadt Leipzig", "Martin-Luther-Ring 4–6", "04109", "Leipzig", "Katja Brenner",
        "stadt.leipzig", "86055592", "1100000013",
    ),
    _municipality(
        "Landeshauptstadt Dresden", "Dr.-Külz-Ring 19", "01067", "Dresden", "Marcel Kühnel",
        "landeshauptstadt.dresden", OSD, "3120000019",
    ),
    _municipality(
        "Landkreis Bautzen", "Bahnhofstraße 9", "02625", "Bautzen", "Ines Mättig",
        "landkreis.bautzen", "85550000", "1000011223",
    ),
    _municipality(
        "Stadt Chemnitz", "Markt 1", "09111", "Chemnitz", "René Fiedler",
        "stadt.chemnitz", "87050000", "3500000010",
    ),
    _municipality(
        "Landkreis Zwickau", "Robert-Müller-Straße 4–8", "08056", "Zwickau", "Sandra Häußler",
        "landkreis.zwickau", "87055000", "2240000015",
    ),
    _municipality(
        "Erzgebirgskreis", "Paulus-Jenisius-Straße 24", "09456", "Annaberg-Buchholz", "Thomas Uhlig",
        "erzgebirgskreis", "87054000", "3300000016",
    ),
    _municipality(
        "Landkreis Sächsische Schweiz-Osterzgebirge", "Schloßhof 2/4", "01796", "Pirna",
        "Kerstin Büttner", "landkreis.soe", OSD, "3120000027",
    ),
    # --- micro-project carriers in Görlitz -----------------------------------------------------
    _small(
        "Nachbarschaftsverein Weinhübel e.V.", "ev", "Leschwitzer Straße 20", "02827", "Görlitz",
        "Heike Bartsch", "nachbarschaft.weinhuebel", GR, "3100420011",
    ),
    _small(
        "Jugendgruppe Weinhübel", "youth_group", "Leschwitzer Straße 20", "02827", "Görlitz",
        "Heike Bartsch", "jugendgruppe.weinhuebel", GR, "3100420029",
    ),
    _small(
        "Bürgerinitiative Altstadtbrücke", "initiative", "Neißstraße 22", "02826", "Görlitz",
        "Jan Nowak", "bi.altstadtbruecke", GR, "3100420037",
    ),
    _small(
        "Evangelische Innenstadtgemeinde Görlitz", "church", "An der Frauenkirche 5", "02826",
        "Görlitz", "Anne Kretschmer", "innenstadtgemeinde.goerlitz", GR, "3100420045",
    ),
    _small(
        "Sportverein Rauschwalde 1990 e.V.", "ev", "Reichenbacher Straße 88", "02827", "Görlitz",
        "Dirk Scholze", "sv.rauschwalde", GR, "3100420053",
    ),
    _small(
        "Kulturbrücke Görlitz-Zgorzelec e.V.", "ev", "Brüderstraße 9", "02826", "Görlitz",
        "Magdalena Kowalska", "kulturbruecke.gz", GR, "3100420061",
    ),
    _small(
        "Seniorenbüro Görlitz-Nord e.V.", "ev", "Lutherstraße 34", "02826", "Görlitz",
        "Gisela Herrmann", "seniorenbuero.goerlitz-nord", GR, "3100420079",
    ),
    _small(
        "Schülerrat der Oberschule Königshufen", "youth_group", "Curiestraße 4", "02828", "Görlitz",
        "Claudia Reimann", "schuelerrat.koenigshufen", GR, "3100420087",
    ),
    _small(
        "Offener Jugendtreff Rauschwalde", "youth_group", "Reichenbacher Straße 61", "02827",
        "Görlitz", "Benjamin Pohl", "jugendtreff.rauschwalde", GR, "3100420095",
    ),
    _small(
        "Heimatverein Schlauroth e.V.", "ev", "Dorfstraße 7", "02827", "Görlitz",
        "Wolfgang Menzel", "heimatverein.schlauroth", GR, "3100420109",
    ),
    _small(
        "Initiative Gedenkort Biesnitz", "initiative", "Promenadenstraße 3", "02827", "Görlitz",
        "Ruth Ebert", "gedenkort.biesnitz", GR, "3100420117",
    ),
    # --- micro-project carriers in Sächsische Schweiz-Osterzgebirge ----------------------------
    _small(
        "Netzwerk Weltoffenes Pirna e.V.", "ev", "Dohnaische Straße 48", "01796", "Pirna",
        "Stefanie Kaden", "weltoffenes.pirna", OSD, "3120044011",
    ),
    _small(
        "Jugendgruppe Sebnitz", "youth_group", "Schillerstraße 7", "01855", "Sebnitz",
        "Marko Richter", "jugendgruppe.sebnitz", OSD, "3120044029",
    ),
    _small(
        "Geschichtsverein Dippoldiswalde e.V.", "ev", "Kirchplatz 8", "01744", "Dippoldiswalde",
        "Hans-Jürgen Kretzschmar", "geschichtsverein.dippoldiswalde", OSD, "3120044037",
    ),
    _small(
        "Initiative Begegnungsgarten Freital", "initiative", "Dresdner Straße 112", "01705", "Freital",
        "Yasmin Rahimi", "begegnungsgarten.freital", OSD, "3120044045",
    ),
    _small(
        "Ev.-Luth. Kirchgemeinde Heidenau", "church", "Hauptstraße 41", "01809", "Heidenau",
        "Christoph Sommer", "kirchgemeinde.heidenau", OSD, "3120044053",
    ),
]
# fmt: on


def _carrier_user(username: str, first: str, last: str, carriers: list[str]) -> dict:
    return {"username": username, "first_name": first, "last_name": last, "carriers": carriers}


def _staff(username: str, first: str, last: str, office: str, role: str) -> dict:
    return {"username": username, "first_name": first, "last_name": last, "offices": [(office, role)]}


# Natural key: ``username``. People the PfD stories need who are not in the login table (they
# log in with the demo password all the same): the officials who apply for their district's
# first grant, the coordination offices of the other PfDs, the carriers of micro-projects.
CHAIN_USERS: list[dict] = [
    # A member of the Begleitausschuss Görlitz: casts his own vote in its circulation procedure
    # (not in the login table while there is no page for a member's own vote).
    {"username": "pfd-goerlitz-ausschuss", "first_name": "Roman", "last_name": "Nitsche"},
    _carrier_user("kommune_leipzig", "Katja", "Brenner", ["Stadt Leipzig"]),
    _carrier_user("kommune_dresden", "Marcel", "Kühnel", ["Landeshauptstadt Dresden"]),
    _carrier_user("kreis_bautzen", "Ines", "Mättig", ["Landkreis Bautzen"]),
    _carrier_user("kommune_chemnitz", "René", "Fiedler", ["Stadt Chemnitz"]),
    _carrier_user("kreis_zwickau", "Sandra", "Häußler", ["Landkreis Zwickau"]),
    _carrier_user("kreis_erzgebirge", "Thomas", "Uhlig", ["Erzgebirgskreis"]),
    _carrier_user("kreis_soe", "Kerstin", "Büttner", ["Landkreis Sächsische Schweiz-Osterzgebirge"]),
    _staff("fachstelle_dresden", "Johanna", "Kirsten", "SN-DD", "case_officer"),
    _staff("fachstelle_bautzen", "Lukas", "Domaschke", "SN-BZ", "case_officer"),
    _staff("fachstelle_chemnitz", "Aylin", "Demir", "SN-C", "case_officer"),
    _staff("fachstelle_zwickau", "Robert", "Hähnel", "SN-Z", "case_officer"),
    _staff("fachstelle_erzgebirge", "Anja", "Ullmann", "SN-ERZ", "case_officer"),
    _staff("fachstelle_soe", "Philipp", "Kunze", "SN-SOE", "case_officer"),
    _staff("leitung_soe", "Doreen", "Wehner", "SN-SOE", "approver"),
    _staff("kasse_soe", "Silvio", "Heinze", "SN-SOE", "finance"),
    _carrier_user("kp_altstadtbruecke", "Jan", "Nowak", ["Bürgerinitiative Altstadtbrücke"]),
    _carrier_user("kp_innenstadtgemeinde", "Anne", "Kretschmer", ["Evangelische Innenstadtgemeinde Görlitz"]),
    _carrier_user("kp_rauschwalde", "Dirk", "Scholze", ["Sportverein Rauschwalde 1990 e.V."]),
    _carrier_user("kp_kulturbruecke", "Magdalena", "Kowalska", ["Kulturbrücke Görlitz-Zgorzelec e.V."]),
    _carrier_user("kp_seniorenbuero", "Gisela", "Herrmann", ["Seniorenbüro Görlitz-Nord e.V."]),
    _carrier_user("kp_schuelerrat", "Claudia", "Reimann", ["Schülerrat der Oberschule Königshufen"]),
    _carrier_user("kp_jugendtreff", "Benjamin", "Pohl", ["Offener Jugendtreff Rauschwalde"]),
    _carrier_user("kp_schlauroth", "Wolfgang", "Menzel", ["Heimatverein Schlauroth e.V."]),
    _carrier_user("kp_biesnitz", "Ruth", "Ebert", ["Initiative Gedenkort Biesnitz"]),
    _carrier_user("kp_pirna", "Stefanie", "Kaden", ["Netzwerk Weltoffenes Pirna e.V."]),
    _carrier_user("kp_sebnitz", "Marko", "Richter", ["Jugendgruppe Sebnitz"]),
    _carrier_user(
        "kp_dippoldiswalde", "Hans-Jürgen", "Kretzschmar", ["Geschichtsverein Dippoldiswalde e.V."]
    ),
    _carrier_user("kp_freital", "Yasmin", "Rahimi", ["Initiative Begegnungsgarten Freital"]),
    _carrier_user("kp_heidenau", "Christoph", "Sommer", ["Ev.-Luth. Kirchgemeinde Heidenau"]),
]

# The coordination office (case officer, approver, finance) of each PfD whose funds the demo
# runs; the others' funds are opened by their case officer.
PFD_STAFF: dict[str, tuple[str, str, str]] = {
    "SN-GR": ("pfd-goerlitz", "pfd-goerlitz-leitung", "pfd-goerlitz-kasse"),
    "SN-SOE": ("fachstelle_soe", "leitung_soe", "kasse_soe"),
}
FUND_OPENERS: dict[str, str] = {
    "SN-GR": "pfd-goerlitz",
    "SN-L": "fachstelle_leipzig",
    "SN-DD": "fachstelle_dresden",
    "SN-BZ": "fachstelle_bautzen",
    "SN-C": "fachstelle_chemnitz",
    "SN-Z": "fachstelle_zwickau",
    "SN-ERZ": "fachstelle_erzgebirge",
    "SN-SOE": "fachstelle_soe",
}


# --- committees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """A voting member (with affiliation) and, optionally, the deputy who votes in their place.

    ``organisation`` names a carrier of the demo: the member is recused whenever it applies.
    ``user`` is the member's login, for circulation votes.
    """

    name: str
    affiliation: str
    deputy: str = ""
    organisation: str = ""
    user: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.affiliation})"

    @property
    def deputy_label(self) -> str:
        return f"{self.deputy} ({self.affiliation})" if self.deputy else ""


GOERLITZ_STEERING: list[Seat] = [
    Seat(
        "Anne Kretschmer",
        "Evangelische Innenstadtgemeinde Görlitz",
        organisation="Evangelische Innenstadtgemeinde Görlitz",
    ),
    Seat("Roman Nitsche", "Stadtjugendring Görlitz", deputy="Paula Gründel", user="pfd-goerlitz-ausschuss"),
    Seat("Susanne Richter", "DRK-Kreisverband Görlitz e.V.", organisation="DRK-Kreisverband Görlitz e.V."),
    Seat("Ewa Malinowska", "Kulturservice Europastadt Görlitz/Zgorzelec", deputy="Tomasz Wójcik"),
    Seat("Frank Zimmer", "Polizeirevier Görlitz, Prävention", deputy="Nadine Lehr"),
    Seat("Sylvia Lange", "Stadtverwaltung Görlitz, Amt für Jugend und Soziales", deputy="Mirko Hentschel"),
    Seat("Gudrun Scholz", "Migrantenbeirat der Stadt Görlitz"),
    Seat("Thomas Knauth", "Volkshochschule Görlitz"),
    Seat("Lena Böhme", "Jugendforum Görlitz, Sprecherin", deputy="Noah Schreiber"),
]

GOERLITZ_YOUTH: list[Seat] = [
    Seat("Lena Böhme", "Sprecherin"),
    Seat("Noah Schreiber", "Oberschule Königshufen"),
    Seat("Amira Haddad", "Augustum-Annen-Gymnasium"),
    Seat("Jonas Petrick", "Berufsschulzentrum Görlitz"),
    Seat("Zofia Nowicka", "Jugendtreff Zgorzelec"),
    Seat("Emil Kaiser", "Sportjugend Görlitz"),
]

# For the other PfDs the committees are drawn from these (per place, deterministically).
# fmt: off
FIRST_NAMES = [
    "Andrea", "Bernd", "Carola", "Daniel", "Elke", "Florian", "Grit", "Henrik", "Ilona", "Jens",
    "Karin", "Lars", "Maren", "Nils", "Olaf", "Petra", "Ralf", "Sabine", "Tilo", "Ute", "Volker",
    "Wiebke", "Yvonne", "Ahmad", "Beata", "Dmitri", "Fatma", "Hanna", "Milan", "Leonie",
]
LAST_NAMES = [
    "Arnold", "Bräuer", "Eichler", "Franke", "Gebauer", "Hauschild", "Jahn", "Kaiser", "Lindner",
    "Mende", "Nestler", "Oehme", "Pfeiffer", "Rentzsch", "Seifert", "Thiele", "Ulbricht", "Vetter",
    "Weise", "Ziegler", "Kaden", "Löffler", "Mros", "Sadowski", "Yilmaz", "Haase",
]
STEERING_AFFILIATIONS = [
    "{town}, Jugendamt",
    "Kreisjugendring {place}",
    "Ev.-Luth. Kirchenbezirk {place}",
    "Katholische Pfarrei {town}",
    "DGB-Region Sachsen",
    "Polizeidirektion, Prävention",
    "Volkshochschule {place}",
    "Integrationsbeirat {place}",
    "Netzwerk für Demokratie und Courage",
    "Kreissportbund {place}",
]
YOUTH_AFFILIATIONS = ["Sprecherin", "Schülerrat", "Jugendfeuerwehr", "Jugendclub", "Berufsschule", "Sportjugend"]
# fmt: on
