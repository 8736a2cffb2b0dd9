"""Checking proofs of use in depth (VV Nr. 11.2 zu § 44 BHO; DOMAIN.md §9).

- **Selection** (:func:`in_depth_select`, previewed by :func:`in_depth_selection_plan`): once a
  year per office, at least 10 % (rounded up) of the proofs the office received in a calendar
  year. The first half (rounded up) is taken by risk, most reasons first, then the higher
  amount; the rest is drawn at random from the proofs not yet chosen, with
  ``random.Random(seed)`` over the proofs in primary-key order, so the same seed always draws
  the same proofs. Risk reasons: a first-time recipient (no earlier grant of its organisation),
  a high amount (granted at least ``high_amount``), earlier findings (a review note with
  findings or a reclaim on another grant of the organisation). Where fewer proofs carry a risk,
  the random part takes the rest. A second selection for the same office and year is refused.
- **Admission** (:func:`receipt_admit`): in an in-depth check the official admits each receipt
  fully, partly (an amount above 0 and below the receipt's) or not at all; anything but a full
  admission needs a reason. The settlement counts the admitted amounts (:func:`not_admitted_by_line`).
- **Review note** (:func:`review_note_write`): once every receipt is decided, the Prüfvermerk
  records whether the purpose was achieved and the findings, with the sums; reporting issues it
  as a PDF. A proof chosen for an in-depth check is accepted only after its review note.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgets.models import CoordinatingOffice
from budgets.rules import require, role_paths
from core.errors import DomainError
from core.formatting import format_date, format_eur, format_percent
from grants import calculations
from grants.awards.models import (
    Admission,
    Grant,
    InDepthEntry,
    InDepthSelection,
    ProofOfUse,
    Receipt,
    Reclaim,
    ReviewNote,
    RiskReason,
    SelectionBasis,
)
from grants.awards.models.proof import REVIEW_PROOF
from grants.awards.services.proof._common import locked_proof

SELECT_IN_DEPTH = "grants.select_in_depth_checks"
VIEW_IN_DEPTH = "grants.view_in_depth_checks"
MIN_SHARE = Decimal("10")
DEFAULT_HIGH_AMOUNT = Decimal("100000.00")
MAX_SEED = 2**63 - 1
ZERO = Decimal("0.00")


# --- the selection --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    proof: ProofOfUse
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SelectionPlan:
    """What a selection takes: the proofs by risk (with reasons) and at random, in order."""

    office: CoordinatingOffice
    year: int
    seed: int
    share_percent: Decimal
    high_amount: Decimal
    received: int
    wanted: int
    by_risk: list[Candidate] = field(default_factory=list)
    at_random: list[ProofOfUse] = field(default_factory=list)


def proofs_received(office: CoordinatingOffice, year: int) -> QuerySet[ProofOfUse]:
    """The proofs ``office`` received (first submitted) in calendar ``year``: its own grants'."""
    return ProofOfUse.objects.filter(grant__office=office, submitted_at__year=year).select_related(
        "grant__organisation"
    )


def _risk_reasons(proofs: list[ProofOfUse], *, high_amount: Decimal) -> dict[int, tuple[str, ...]]:
    """Risk reasons per proof (three queries for the whole year)."""
    organisations = {p.grant.organisation_id for p in proofs}
    first_grant: dict[int, tuple[object, int]] = {}
    for pk, org, approved_at in Grant.objects.filter(organisation_id__in=organisations).values_list(
        "pk", "organisation_id", "approved_at"
    ):
        key = (approved_at, pk)
        if org not in first_grant or key < first_grant[org]:  # type: ignore[operator]
            first_grant[org] = key
    findings: dict[int, set[int]] = {}  # organisation → grants with findings
    notes = ReviewNote.objects.filter(proof__grant__organisation_id__in=organisations).select_related(
        "proof__grant"
    )
    for note in notes:
        if note.has_findings:
            findings.setdefault(note.proof.grant.organisation_id, set()).add(note.proof.grant_id)
    for org, grant_id in Reclaim.objects.filter(grant__organisation_id__in=organisations).values_list(
        "grant__organisation_id", "grant_id"
    ):
        findings.setdefault(org, set()).add(grant_id)
    out = {}
    for proof in proofs:
        grant = proof.grant
        reasons = []
        if first_grant.get(grant.organisation_id, (None, None))[1] == grant.pk:
            reasons.append(RiskReason.FIRST_TIME.value)
        if grant.granted_amount >= high_amount:
            reasons.append(RiskReason.HIGH_AMOUNT.value)
        if findings.get(grant.organisation_id, set()) - {grant.pk}:
            reasons.append(RiskReason.EARLIER_FINDINGS.value)
        out[proof.pk] = tuple(reasons)
    return out


def _selection_problems(
    office: CoordinatingOffice, year: int, share_percent: Decimal, high_amount: Decimal, today: date
) -> list[str]:
    problems = []
    existing = InDepthSelection.objects.filter(office=office, year=year).select_related("created_by").first()
    if existing is not None:
        problems.append(
            _(
                "%(office)s already selected its proofs of %(year)s for in-depth checks on %(date)s (by %(user)s); a second selection for the same year is not allowed."
            )
            % {
                "office": office.name,
                "year": year,
                "date": format_date(timezone.localdate(existing.created_at)),
                "user": existing.created_by.get_full_name() or existing.created_by.get_username(),
            }
        )
    if year >= today.year:
        problems.append(
            _(
                "The year %(year)s is not over yet: its proofs are selected once every proof of the year is in, from 1 January %(next)s."
            )
            % {"year": year, "next": year + 1}
        )
    if not MIN_SHARE <= share_percent <= 100:
        problems.append(
            _("The share checked in depth must be between 10 %% and 100 %%; %(share)s is not.")
            % {"share": format_percent(share_percent)}
        )
    if high_amount <= 0:
        problems.append(
            _("The amount from which a grant counts as high must be above 0,00 €; %(amount)s is not.")
            % {"amount": format_eur(high_amount)}
        )
    return problems


def in_depth_selection_plan(
    *,
    office: CoordinatingOffice,
    year: int,
    seed: int,
    share_percent: Decimal = MIN_SHARE,
    high_amount: Decimal = DEFAULT_HIGH_AMOUNT,
) -> SelectionPlan:
    """The selection the seed gives for ``office`` and ``year`` (no writes; see the module
    docstring). :func:`in_depth_select` writes exactly this."""
    proofs = sorted(proofs_received(office, year), key=lambda p: p.pk)
    wanted = calculations.in_depth_count(len(proofs), share_percent)
    reasons = _risk_reasons(proofs, high_amount=high_amount)
    risky = sorted(
        (p for p in proofs if reasons[p.pk]),
        key=lambda p: (-len(reasons[p.pk]), -p.grant.granted_amount, p.pk),
    )
    by_risk = [Candidate(p, reasons[p.pk]) for p in risky[: wanted - wanted // 2]]
    chosen = {c.proof.pk for c in by_risk}
    rest = [p for p in proofs if p.pk not in chosen]
    at_random = random.Random(seed).sample(rest, wanted - len(by_risk))
    return SelectionPlan(
        office=office,
        year=year,
        seed=seed,
        share_percent=share_percent,
        high_amount=high_amount,
        received=len(proofs),
        wanted=wanted,
        by_risk=by_risk,
        at_random=sorted(at_random, key=lambda p: p.pk),
    )


@transaction.atomic
def in_depth_select(
    *,
    office: CoordinatingOffice,
    year: int,
    by: User,
    seed: int | None = None,
    share_percent: Decimal = MIN_SHARE,
    high_amount: Decimal = DEFAULT_HIGH_AMOUNT,
    today: date | None = None,
) -> InDepthSelection:
    """Select ``office``'s proofs of ``year`` for in-depth checks (the office's head, once a year).

    ``seed`` (default: a fresh random one) is stored, so :func:`in_depth_selection_plan` with
    it gives the same proofs again. Refused, writing nothing, for a second selection of the
    same office and year, a year not yet over, a share below 10 %, or a year without proofs.
    """
    require(by, SELECT_IN_DEPTH, office)
    office = CoordinatingOffice.objects.select_for_update().get(pk=office.pk)
    today = today or timezone.localdate()
    problems = _selection_problems(office, year, share_percent, high_amount, today)
    if problems:
        raise DomainError(problems)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not 0 <= seed <= MAX_SEED:
        raise DomainError(_("The seed must be a whole number from 0 to %(max)s.") % {"max": MAX_SEED})
    plan = in_depth_selection_plan(
        office=office, year=year, seed=seed, share_percent=share_percent, high_amount=high_amount
    )
    if plan.received == 0:
        raise DomainError(
            _("%(office)s received no proofs of use in %(year)s; there is nothing to select.")
            % {"office": office.name, "year": year}
        )
    try:
        with transaction.atomic():
            selection = InDepthSelection.objects.create(
                office=office,
                year=year,
                share_percent=share_percent,
                high_amount=high_amount,
                seed=seed,
                proofs_received=plan.received,
                created_by=by,
            )
    except IntegrityError as exc:  # a selection written meanwhile by someone else
        raise DomainError(_selection_problems(office, year, share_percent, high_amount, today)) from exc
    InDepthEntry.objects.bulk_create(
        [
            *(
                InDepthEntry(
                    selection=selection, proof=c.proof, basis=SelectionBasis.RISK, reasons=list(c.reasons)
                )
                for c in plan.by_risk
            ),
            *(
                InDepthEntry(selection=selection, proof=p, basis=SelectionBasis.RANDOM)
                for p in plan.at_random
            ),
        ]
    )
    return selection


def selections_visible_to(user: object) -> QuerySet[InDepthSelection]:
    """Selections of the offices in the user's subtrees (staff only; carriers see none)."""
    paths = role_paths(user)
    selections = InDepthSelection.objects.select_related("office", "created_by").order_by(
        "-year", "office__name"
    )
    if paths is None:
        return selections
    if not paths:
        return selections.none()
    subtree = Q(pk__in=[])
    for path in paths:
        subtree |= Q(office__path__startswith=path)
    return selections.filter(subtree)


# --- admission of receipts ------------------------------------------------------------------


def is_in_depth(proof: ProofOfUse) -> bool:
    """The proof was chosen for an in-depth check."""
    return InDepthEntry.objects.filter(proof=proof).exists()


def _require_checkable(proof: ProofOfUse) -> None:
    if not is_in_depth(proof):
        raise DomainError(
            _(
                "Receipts are admitted one by one only in an in-depth check; this proof of use was not chosen for one."
            )
        )
    if ReviewNote.objects.filter(proof=proof).exists():
        raise DomainError(_("The review note of this proof of use is written; the in-depth check is closed."))
    if not proof.is_in_review:
        raise DomainError(
            _(
                "The in-depth check takes place while the proof of use is in review (current state: “%(state)s”)."
            )
            % {"state": proof.get_state_display()}
        )


def admission_problems(receipt: Receipt, admission: str, amount: Decimal | None, reason: str) -> list[str]:
    """Why this decision on ``receipt`` cannot be recorded (empty when it can)."""
    problems = []
    if admission not in Admission.values:
        return [
            _("Please choose whether receipt %(number)s is admitted fully, partly or not.")
            % {"number": receipt.number}
        ]
    if admission == Admission.PARTIAL:
        if amount is None:
            problems.append(
                _("Please give the amount admitted of receipt %(number)s.") % {"number": receipt.number}
            )
        elif not ZERO < amount < receipt.amount or amount != amount.quantize(Decimal("0.01")):
            problems.append(
                _(
                    "An amount admitted in part must be above 0,00 € and below the receipt's %(total)s; %(amount)s is not."
                )
                % {"total": format_eur(receipt.amount), "amount": format_eur(amount)}
            )
    if admission != Admission.FULL and not reason.strip():
        problems.append(
            _("Please give the reason why receipt %(number)s is not admitted in full.")
            % {"number": receipt.number}
        )
    if len(reason.strip()) > 500:
        problems.append(_("The reason may have at most 500 characters."))
    return problems


@transaction.atomic
def receipt_admit(
    *, receipt: Receipt, by: User, admission: str, admitted_amount: Decimal | None = None, reason: str = ""
) -> Receipt:
    """Record the official's decision on one receipt of a proof in an in-depth check."""
    locked = locked_proof(receipt.proof)
    require(by, REVIEW_PROOF, locked)
    _require_checkable(locked)
    current = Receipt.objects.select_for_update().get(pk=receipt.pk, proof=locked)
    problems = admission_problems(current, admission, admitted_amount, reason)
    if problems:
        raise DomainError(problems)
    current.admission = admission
    current.admitted_amount = {
        Admission.FULL: current.amount,
        Admission.NONE: ZERO,
    }.get(Admission(admission), admitted_amount)
    current.admission_reason = reason.strip()
    current.admitted_by = by
    current.admitted_at = timezone.now()
    current.save(
        update_fields=["admission", "admitted_amount", "admission_reason", "admitted_by", "admitted_at"]
    )
    return current


def not_admitted_by_line(proof: ProofOfUse) -> dict[int, Decimal]:
    """What the in-depth check did not admit, per plan line (the settlement deducts it from the
    statement's actual amount); empty for a proof without decided receipts."""
    out: dict[int, Decimal] = {}
    decided = proof.receipts.exclude(admission="").values_list("plan_line_id", "amount", "admitted_amount")
    for line_id, amount, admitted in decided:
        missing = amount - (admitted if admitted is not None else amount)
        if missing:
            out[line_id] = out.get(line_id, ZERO) + missing
    return out


@dataclass(frozen=True)
class AdmissionTotals:
    receipts_total: Decimal
    admitted_total: Decimal
    not_admitted_total: Decimal
    undecided: list[str]


def admission_totals(proof: ProofOfUse) -> AdmissionTotals:
    receipts = list(proof.receipts.order_by("number").values_list("number", "amount", "admitted_amount"))
    return AdmissionTotals(
        receipts_total=sum((amount for _n, amount, _a in receipts), ZERO),
        admitted_total=sum((a for _n, _amount, a in receipts if a is not None), ZERO),
        not_admitted_total=sum((amount - a for _n, amount, a in receipts if a is not None), ZERO),
        undecided=[number for number, _amount, a in receipts if a is None],
    )


# --- the review note ------------------------------------------------------------------------


@transaction.atomic
def review_note_write(
    *, proof: ProofOfUse, by: User, purpose_achieved: bool | None, findings: str = ""
) -> ReviewNote:
    """Close the in-depth check with its review note (Prüfvermerk); reporting issues the PDF."""
    locked = locked_proof(proof)
    require(by, REVIEW_PROOF, locked)
    _require_checkable(locked)
    totals = admission_totals(locked)
    problems = []
    if totals.undecided:
        shown = ", ".join(totals.undecided[:10]) + (" …" if len(totals.undecided) > 10 else "")
        problems.append(
            _("Every receipt must be decided before the review note; still open: %(count)s (%(numbers)s).")
            % {"count": len(totals.undecided), "numbers": shown}
        )
    if purpose_achieved is None:
        problems.append(_("Please state whether the purpose of the grant was achieved."))
    elif not purpose_achieved and not findings.strip():
        problems.append(_("Please write down the findings: the purpose was not achieved."))
    if problems:
        raise DomainError(problems)
    assert purpose_achieved is not None
    return ReviewNote.objects.create(
        proof=locked,
        purpose_achieved=purpose_achieved,
        findings=findings.strip(),
        receipts_total=totals.receipts_total,
        admitted_total=totals.admitted_total,
        not_admitted_total=totals.not_admitted_total,
        checked_by=by,
    )


def acceptance_problem(proof: ProofOfUse) -> str | None:
    """Why ``proof`` cannot be accepted yet: chosen for an in-depth check without a review note."""
    chosen = InDepthEntry.objects.filter(proof=proof).annotate(
        noted=Exists(ReviewNote.objects.filter(proof=OuterRef("proof")))
    )
    entry = chosen.first()
    if entry is not None and not entry.noted:  # type: ignore[attr-defined]
        return _(
            "This proof of use was chosen for an in-depth check: admit every receipt and write the review note before accepting it."
        )
    return None
