"""Budget reads: the figures of DOMAIN.md §4.5 per envelope and rolled up over office subtrees.

Every rollup is one aggregate SQL query joined to envelopes and offices, filtered by the
indexed materialised-path prefix of the office tree, so its cost does not grow with the number
of offices or grants on a page. It sums the maintained envelope totals
(:class:`~budgets.models.EnvelopeTotal`, one row per envelope and budget year, kept equal to
Σ ledger by a database trigger), so it does not grow with the ledger either; only reads by
grant (``reference``) sum the ledger itself, and ``from_ledger=True`` forces that (the
reconciliation and the tests compare both).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Case, CharField, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Substr

from budgets.choices import LedgerKind
from budgets.models import BudgetEnvelope, CoordinatingOffice, EnvelopeTotal, LedgerEntry

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
K = LedgerKind

# Figure → the ledger kinds whose signed amounts make it up.
FIGURE_KINDS: dict[str, tuple[str, ...]] = {
    "allocated": (K.ALLOCATION,),
    "carry_over": (K.CARRY_OVER,),
    "reinforcements": (K.REINFORCEMENT,),
    "blocked": (K.BLOCK,),
    "committed": (K.COMMITMENT, K.DECOMMITMENT),
    "disbursed": (K.DISBURSEMENT,),
    "proven": (K.PROVEN,),
    "reclaimed": (K.RECLAIM,),
    "repaid": (K.REPAYMENT,),
}
BOOKED_FIGURES = tuple(FIGURE_KINDS)
FIGURES = (*BOOKED_FIGURES, "open", "available")

# Rollup dimensions → the ledger column they group by.
GROUPS: dict[str, str] = {
    "programme": "envelope__programme_id",
    "year": "budget_year",
    "source": "envelope__funding_source",
    "office": "envelope__office_id",
    "envelope": "envelope_id",
    "reference": "reference",
}


@dataclass(frozen=True)
class Figures:
    allocated: Decimal = ZERO
    carry_over: Decimal = ZERO
    reinforcements: Decimal = ZERO
    blocked: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    proven: Decimal = ZERO
    reclaimed: Decimal = ZERO
    repaid: Decimal = ZERO
    keys: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def budget(self) -> Decimal:
        """What may be spent: allocated + carry-over + reinforcements − blocked."""
        return self.allocated + self.carry_over + self.reinforcements - self.blocked

    @property
    def available(self) -> Decimal:
        return self.budget - self.committed

    @property
    def open(self) -> Decimal:
        return self.committed - self.disbursed

    @property
    def utilisation(self) -> Decimal | None:
        """Committed as a percentage of the budget (None when there is no budget)."""
        return None if self.budget <= 0 else self.committed * 100 / self.budget

    def __getitem__(self, name: str) -> Any:
        return self.keys[name] if name in self.keys else getattr(self, name)

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f: getattr(self, f) + getattr(other, f) for f in BOOKED_FIGURES})


def _kind_q(kinds: tuple[str, ...]) -> Q:
    # Plain strings, not enum members, keep query compilation cheap.
    return Q(kind=str(kinds[0])) if len(kinds) == 1 else Q(kind__in=[str(k) for k in kinds])


def figure_aggregates() -> dict[str, Coalesce]:
    money = DecimalField(max_digits=16, decimal_places=2)
    return {
        name: Coalesce(Sum("amount", filter=_kind_q(kinds)), Value(ZERO), output_field=money)
        for name, kinds in FIGURE_KINDS.items()
    }


TOTAL_PREFIX = "sum_"  # an annotation may not take the name of a model field


def total_aggregates() -> dict[str, Coalesce]:
    """The same figures summed over :class:`EnvelopeTotal` rows (one column per figure)."""
    money = DecimalField(max_digits=16, decimal_places=2)
    return {
        f"{TOTAL_PREFIX}{name}": Coalesce(Sum(name), Value(ZERO), output_field=money)
        for name in BOOKED_FIGURES
    }


def _figures(row: dict[str, Any], keys: dict[str, Any] | None = None, prefix: str = "") -> Figures:
    # SQLite sums decimals as floats; rounding to the cent restores exact amounts (PostgreSQL
    # sums numerics exactly, so there this changes nothing).
    return Figures(
        **{f: Decimal(row[f"{prefix}{f}"]).quantize(CENT) for f in BOOKED_FIGURES}, keys=keys or {}
    )


def subtree_q(paths: Iterable[str], prefix: str = "envelope__office__") -> Q:
    """Rows below any of ``paths`` (each path's office included); no paths → no rows."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def rollup(
    *,
    paths: Sequence[str] | None = None,
    group_by: Sequence[str] = (),
    branch_depth: int | None = None,
    year: int | None = None,
    programme: int | None = None,
    source: str | None = None,
    reference: str | None = None,
    office_id: int | None = None,
    branches: Sequence[str] = (),
    grants_only: bool = False,
    limit: int | None = None,
    from_ledger: bool = False,
) -> list[Figures]:
    """The §4.5 figures of the offices below ``paths`` (all offices when None), grouped.

    ``group_by`` takes any of :data:`GROUPS`. ``branch_depth`` additionally groups by the
    ancestor at that tree depth (key ``branch`` = its path): the rows of a drill-down table,
    where each child's row covers its whole subtree; ``branches`` does the same for a given
    list of subtree roots. ``office_id`` keeps only the envelopes of that one office. One query,
    over the envelope totals unless it needs the grants' references (``reference``,
    ``grants_only``, grouping by ``reference``) or ``from_ledger`` asks for the ledger itself.
    """
    unknown = set(group_by) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown rollup groups: {sorted(unknown)}")
    by_grant = reference is not None or grants_only or "reference" in group_by
    from_totals = not (from_ledger or by_grant)
    aggregates, prefix = (total_aggregates(), TOTAL_PREFIX) if from_totals else (figure_aggregates(), "")
    qs = EnvelopeTotal.objects.all() if from_totals else LedgerEntry.objects.all()
    if paths is not None:
        qs = qs.filter(subtree_q(paths))
    if year is not None:
        qs = qs.filter(budget_year=year)
    if programme is not None:
        qs = qs.filter(envelope__programme_id=programme)
    if source:
        qs = qs.filter(envelope__funding_source=source)
    if reference is not None:
        qs = qs.filter(reference=reference)
    if office_id is not None:
        qs = qs.filter(envelope__office_id=office_id)
    if grants_only:
        qs = qs.exclude(reference="")
    columns = {name: GROUPS[name] for name in group_by}
    if branch_depth is not None:
        qs = qs.annotate(
            branch=Substr("envelope__office__path", 1, branch_depth * CoordinatingOffice.steplen)
        )
        columns["branch"] = "branch"
    elif branches:
        whens = [When(envelope__office__path__startswith=p, then=Value(p)) for p in branches]
        qs = qs.annotate(branch=Case(*whens, default=Value(""), output_field=CharField()))
        columns["branch"] = "branch"
    if not columns:
        total = qs.aggregate(**aggregates)
        return [_figures(total, prefix=prefix)]
    rows = qs.values(*columns.values()).annotate(**aggregates).order_by(*columns.values())
    if limit is not None:
        rows = rows[:limit]
    result = []
    for row in rows:
        keys = {name: row[column] for name, column in columns.items()}
        result.append(_figures(row, keys, prefix))
    return result


def rollup_total(**filters: Any) -> Figures:
    rows = rollup(**filters)
    return rows[0] if rows else Figures()


def envelope_figures(envelope_ids: Iterable[int]) -> dict[int, Figures]:
    """Figures per envelope (envelopes without entries get zeros); one query over the totals.

    The booking services call it after locking the envelopes: the totals are written under the
    same lock (by the ledger insert), so what they read includes every committed booking.
    """
    ids = list(envelope_ids)
    found = {
        row["envelope_id"]: _figures(row, prefix=TOTAL_PREFIX)
        for row in EnvelopeTotal.objects.filter(envelope_id__in=ids)
        .values("envelope_id")
        .annotate(**total_aggregates())
        .order_by()
    }
    return {pk: found.get(pk, Figures()) for pk in ids}


def fund_released(fund: Any, figures: Figures, day: date) -> Decimal:
    """The part of a fund's volume its cut-off dates have released by ``day``, down to the cent."""
    share = fund.released_share(day)
    return (figures.budget * share / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def reference_figures(reference: str) -> dict[tuple[int, int], Figures]:
    """A grant's bookings per (envelope, budget year); one query."""
    rows = (
        LedgerEntry.objects.filter(reference=reference)
        .values("envelope_id", "budget_year")
        .annotate(**figure_aggregates())
        .order_by("envelope_id", "budget_year")
    )
    return {(r["envelope_id"], r["budget_year"]): _figures(r) for r in rows}


def envelopes_below(paths: Sequence[str] | None = None) -> Any:
    qs = BudgetEnvelope.objects.select_related("office", "programme")
    return qs if paths is None else qs.filter(subtree_q(paths, prefix="office__"))


def ledger_of_envelope(envelope: BudgetEnvelope) -> Any:
    return envelope.entries.select_related("actor").order_by("created_at", "pk")


# --- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeRow:
    """One line of the office table: an office's subtree, or (``own``) its own envelopes only."""

    office: CoordinatingOffice
    figures: Figures
    own: bool = False

    @property
    def has_children(self) -> bool:
        return not self.own and self.office.numchild > 0


def top_offices(paths: Sequence[str] | None) -> list[CoordinatingOffice]:
    """The offices a dashboard starts from: the roots of what the user may see."""
    qs = (
        CoordinatingOffice.objects.filter(depth=1)
        if paths is None
        else CoordinatingOffice.objects.filter(path__in=paths)
    )
    return list(qs.order_by("path"))


def office_table(
    *, office: CoordinatingOffice | None, visible: Sequence[str] | None, **filters: Any
) -> list[OfficeRow]:
    """Rows for the drill-down table: two queries (the offices, then one rollup)."""
    if office is None:
        offices = top_offices(visible)
        figures = {
            r["branch"]: r for r in rollup(paths=visible, branches=[o.path for o in offices], **filters)
        }
        return [OfficeRow(o, figures.get(o.path, Figures())) for o in offices]
    children = list(
        CoordinatingOffice.objects.filter(path__startswith=office.path, depth=office.depth + 1).order_by(
            "name"
        )
    )
    figures = {r["branch"]: r for r in rollup(paths=[office.path], branch_depth=office.depth + 1, **filters)}
    own = OfficeRow(office, figures.get(office.path, Figures()), own=True)
    return [own, *(OfficeRow(c, figures.get(c.path, Figures())) for c in children)]


def references_of_office(*, office: CoordinatingOffice, limit: int = 200, **filters: Any) -> list[Figures]:
    """The grants (by reference) booked on this office's own envelopes; one query."""
    return rollup(
        paths=[office.path],
        office_id=office.pk,
        group_by=["reference"],
        grants_only=True,
        limit=limit,
        **filters,
    )


# --- reconciliation --------------------------------------------------------------------------


def total_differences() -> dict[tuple[int, int], tuple[Figures | None, Figures | None]]:
    """(envelope, year) → (totals, Σ ledger) wherever they differ; two queries, empty when equal.

    The ledger side is one ``GROUP BY envelope, budget year`` over all entries.
    """
    ledger = {(r["envelope"], r["year"]): r for r in rollup(group_by=["envelope", "year"], from_ledger=True)}
    kept = {
        (r["envelope_id"], r["budget_year"]): _figures(r, prefix=TOTAL_PREFIX)
        for r in EnvelopeTotal.objects.values("envelope_id", "budget_year").annotate(**total_aggregates())
    }
    return {
        key: (kept.get(key), ledger.get(key))
        for key in sorted(set(ledger) | set(kept))
        if kept.get(key, Figures()) != ledger.get(key, Figures())
    }
