"""Helpers shared by the proof-of-use use cases: the row locks, the editing rule, plan-line numbers.

Who may do what is a named rule (``grants.edit_proof``, ``grants.review_proof`` in
``grants.rules``) that the services ask through :func:`budgets.rules.require`; which state
allows what is a named predicate on :class:`ProofOfUse`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.errors import DomainError
from grants.applications.models import CoverKind
from grants.applications.models.plan import PlanLineSide
from grants.awards.locks import lock_child
from grants.awards.models import PlanVersionLine, ProofOfUse

# Cover kinds whose actual amounts count as own (E) or third-party funds and income (D).
OWN_KINDS = (CoverKind.OWN,)
THIRD_KINDS = (CoverKind.THIRD_PARTY, CoverKind.INCOME)
# The letter of a cover line's position number (DOMAIN.md §4): E own funds, D third-party funds
# and income, Z the grant.
COVER_PREFIX: dict[str, str] = {
    CoverKind.OWN: "E",
    CoverKind.THIRD_PARTY: "D",
    CoverKind.INCOME: "D",
    CoverKind.GRANT: "Z",
}


def locked_proof(proof: ProofOfUse) -> ProofOfUse:
    """The proof, row-locked after its grant (the one lock order, ``grants.awards.locks``)."""
    _grant, locked = lock_child(ProofOfUse, proof.pk, related=("plan",))
    return locked


def require_editable(proof: ProofOfUse) -> None:
    """Refuse a change unless :attr:`ProofOfUse.is_editable`, saying which part refuses."""
    if not proof.grant_takes_proofs:
        raise DomainError(
            _("The grant is in state “%(state)s”; its proofs of use can no longer be changed.")
            % {"state": proof.grant.get_state_display()}
        )
    if not proof.is_editable:
        raise DomainError(
            _(
                "The proof of use can only be changed as a draft or after changes were requested (current state: “%(state)s”)."
            )
            % {"state": proof.get_state_display()}
        )


def ordered(lines: Iterable[PlanVersionLine]) -> list[PlanVersionLine]:
    """Plan lines in the order the plan shows them: expenditure, then cover; by year and position."""
    return sorted(
        lines, key=lambda ln: (ln.side != PlanLineSide.EXPENDITURE, ln.budget_year, ln.position, ln.pk)
    )


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
        prefix = "" if line.side == PlanLineSide.EXPENDITURE else COVER_PREFIX.get(line.cover_kind, "D")
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
