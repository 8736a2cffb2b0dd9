"""Helpers shared by the proof-of-use use cases: row locks, role checks, plan-line numbers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from budgets.choices import StaffRole
from core.errors import AccessDenied, DomainError
from grants.awards.models import Grant, PlanVersionLine, ProofOfUse, ProofState
from grants.predicates import carrier_organisation_ids, covers

P = ProofState
EDITABLE_PROOF_STATES = (P.DRAFT, P.CHANGES_REQUESTED)
# An interim proof no longer counts as overdue once the carrier has handed it in.
HANDED_IN_PROOF_STATES = (P.SUBMITTED, P.IN_REVIEW, P.ACCEPTED)
# A grant whose life is over (or revoked as a whole) takes no more changes to its proofs.
CLOSED_GRANT_STATES = ("settled", "reclaim", "closed", "revoked")
# Cover kinds whose actual amounts count as own (E) or third-party funds and income (D).
OWN_KINDS = ("own",)
THIRD_KINDS = ("third_party", "income")


def locked_proof(proof: ProofOfUse, *, grant: Grant | None = None) -> ProofOfUse:
    """The proof, row-locked; callers that also lock the grant lock it first (see the reclaims)."""
    locked = (
        ProofOfUse.objects.select_for_update(of=("self",))
        .select_related("grant", "grant__office", "plan")
        .get(pk=proof.pk)
    )
    if grant is not None:
        locked.grant = grant
    return locked


def require_carrier(proof: ProofOfUse, by: Any) -> None:
    if proof.grant.organisation_id not in carrier_organisation_ids(by):
        raise AccessDenied(_("Only members of the grant recipient may change this proof of use."))


def require_editable(proof: ProofOfUse) -> None:
    if proof.grant.state in CLOSED_GRANT_STATES:
        raise DomainError(
            _("The grant is in state “%(state)s”; its proofs of use can no longer be changed.")
            % {"state": proof.grant.get_state_display()}
        )
    if proof.state not in EDITABLE_PROOF_STATES:
        raise DomainError(
            _(
                "The proof of use can only be changed as a draft or after changes were requested (current state: “%(state)s”)."
            )
            % {"state": proof.get_state_display()}
        )


def require_case_officer(proof: ProofOfUse, by: Any) -> None:
    if not covers(by, proof.grant.office.path, (StaffRole.CASE_OFFICER,)):
        raise AccessDenied(_("Only a case officer of the granting office can review a proof of use."))
    if proof.grant.organisation_id in carrier_organisation_ids(by):
        raise DomainError(_("Nobody may review a proof of use of their own organisation."))


def ordered(lines: Iterable[PlanVersionLine]) -> list[PlanVersionLine]:
    """Plan lines in the order the plan shows them: expenditure, then cover; by year and position."""
    return sorted(lines, key=lambda ln: (ln.side != "expenditure", ln.budget_year, ln.position, ln.pk))


def relevant_lines(proof: ProofOfUse, lines: Iterable[PlanVersionLine]) -> list[PlanVersionLine]:
    """The plan lines a proof accounts for (in plan order): an interim proof only its year's."""
    return [
        line for line in ordered(lines) if proof.budget_year is None or line.budget_year == proof.budget_year
    ]


def plan_line_numbers(lines: Iterable[PlanVersionLine]) -> dict[int, str]:
    """The position number of every line of one plan version, as the carrier sees it.

    Expenditure lines are numbered 1, 2, 3, … in plan order (budget year, then position);
    cover lines carry the letter of DOMAIN.md §4 for their kind: E1, E2 … for own funds,
    D1, D2 … for third-party funds and income, Z1 … for the grant. Receipt imports name a
    plan line by this number (see ``grants.awards.resources``).
    """
    numbers: dict[int, str] = {}
    counters: dict[str, int] = {}
    for line in ordered(lines):
        if line.side == "expenditure":
            prefix = ""
        else:
            prefix = {"own": "E", "third_party": "D", "income": "D", "grant": "Z"}.get(line.cover_kind, "D")
        counters[prefix] = counters.get(prefix, 0) + 1
        numbers[line.pk] = f"{prefix}{counters[prefix]}"
    return numbers


def plan_line_label(line: PlanVersionLine, number: str) -> str:
    """``3 · Projektleitung (2026)``: how a plan line is shown in lists and messages."""
    text = line.text or (line.get_category_display() if line.category else line.get_cover_kind_display())
    return f"{number} · {text} ({line.budget_year})"


def plan_line_labels(lines: Iterable[PlanVersionLine]) -> dict[int, str]:
    lines = list(lines)
    numbers = plan_line_numbers(lines)
    return {line.pk: plan_line_label(line, numbers[line.pk]) for line in lines}
