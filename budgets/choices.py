"""Vocabulary shared by programmes and applications."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GermanState(models.TextChoices):
    # ISO 3166-2:DE subdivision codes, as the ``holidays`` package expects them.
    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


class FinancingType(models.TextChoices):
    SHARE = "share", _("Share financing")  # Anteilfinanzierung
    DEFICIT = "deficit", _("Deficit financing")  # Fehlbedarfsfinanzierung
    FIXED = "fixed", _("Fixed-amount financing")  # Festbetragsfinanzierung
    FULL = "full", _("Full financing")  # Vollfinanzierung


class CostCategory(models.TextChoices):
    STAFF = "staff", _("Staff costs")
    FEES = "fees", _("Fees")  # Honorare
    MATERIAL = "material", _("Material costs")
    TRAVEL = "travel", _("Travel costs")
    PUBLIC_RELATIONS = "public_relations", _("Public relations")
    INVESTMENT = "investment", _("Investments")
    ADMIN_FLAT_RATE = "admin_flat_rate", _("Flat-rate administrative costs")
    # Money a first recipient passes on to last recipients through its funds (DOMAIN.md §7): it
    # counts as spent only as far as the last recipients' proofs of use recognise it.
    FORWARDED = "forwarded", _("Passed on to last recipients (funds)")  # Weitergeleitete Mittel
    # Exit programmes (DOMAIN.md §6): one-off help for a person leaving an extremist scene (a
    # move, debts, removing tattoos, training), capped per case and year; its receipts name a
    # case pseudonym, never the person.
    INDIVIDUAL_HELP = "individual_help", _("Individual help (exit programmes)")  # Einzelfallhilfe


class ProgrammeFamily(models.TextChoices):
    DEMOKRATIE_LEBEN = "demokratie_leben", "Demokratie leben!"
    ZUSAMMENHALT = "zusammenhalt", "Zusammenhalt durch Teilhabe"
    STATE = "state", _("State programme")


class FundingLevel(models.TextChoices):
    FEDERAL = "federal", _("Federal")
    STATE = "state", _("State")
    MUNICIPAL = "municipal", _("Municipal")
    EU = "eu", _("EU")  # e.g. the European Social Fund (ESF)
    OTHER = "other", _("Other")  # foundations, lotteries, other public money (DOMAIN.md §8)


class OfficeKind(models.TextChoices):
    FEDERAL = "federal", _("Federal administering office")
    STATE = "state", _("State coordination office")
    LOCAL = "local", _("Local partnership office")


class StaffRole(models.TextChoices):
    CASE_OFFICER = "case_officer", _("Case officer")  # Sachbearbeitung
    APPROVER = "approver", _("Approver")  # Bewilligung
    FINANCE = "finance", _("Finance")  # Haushalt / Kasse
    AUDITOR = "auditor", _("Auditor (read-only)")


class WindowUnit(models.TextChoices):
    WEEKS = "weeks", _("weeks")
    MONTHS = "months", _("months")


class LedgerKind(models.TextChoices):
    """What a ledger entry changes; each kind feeds exactly one figure of DOMAIN.md §4.5."""

    ALLOCATION = "allocation", _("Allocation")  # Ansatz
    CARRY_OVER = "carry_over", _("Carry-over")  # Ausgabereste
    REINFORCEMENT = "reinforcement", _("Reinforcement")  # Verstärkung
    BLOCK = "block", _("Block")  # Sperre
    COMMITMENT = "commitment", _("Commitment")  # Festlegung / Bindung
    DECOMMITMENT = "decommitment", _("Decommitment")  # Entbindung
    DISBURSEMENT = "disbursement", _("Disbursement")  # Auszahlung
    PROVEN = "proven", _("Proven")  # im Verwendungsnachweis anerkannt
    RECLAIM = "reclaim", _("Reclaim")  # Rückforderung
    REPAYMENT = "repayment", _("Repayment")  # Rückzahlung
    # Interest received on a reclaim (DOMAIN.md §3.8), split across the grant's sources like every
    # other movement (§8): it is revenue of each funder's budget, so it is recorded per source on
    # the envelope that holds that source's commitment, and changes no spending figure.
    INTEREST = "interest", _("Interest received")  # Zinseinnahme


class ShareGroup(models.TextChoices):
    """What part of a first recipient's annual grant a share limit speaks of (DOMAIN.md §7)."""

    PROJECTS = "projects", _("Micro-projects (funds)")
    KEPT = "kept", _("Kept by the first recipient (e.g. coordination)")
