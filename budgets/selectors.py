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

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr

from budgets.choices import FundingLevel, LedgerKind
from budgets.models import BudgetEnvelope, CoordinatingOffice, EnvelopeTotal, Fund, LedgerEntry

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
    "interest": (K.INTEREST,),
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
    interest: Decimal = ZERO
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
    count_once: bool = False,
) -> list[Figures]:
    """The §4.5 figures of the offices below ``paths`` (all offices when None), grouped.

    ``group_by`` takes any of :data:`GROUPS`. ``branch_depth`` additionally groups by the
    ancestor at that tree depth (key ``branch`` = its path): the rows of a drill-down table,
    where each child's row covers its whole subtree; ``branches`` does the same for a given
    list of subtree roots. ``office_id`` keeps only the envelopes of that one office. One query,
    over the envelope totals unless it needs the grants' references (``reference``,
    ``grants_only``, grouping by ``reference``) or ``from_ledger`` asks for the ledger itself.

    ``count_once`` leaves out the envelopes of funds whose financing grant is committed on an
    envelope below ``paths`` as well (DOMAIN.md §7): their money is already counted there, as that
    grant's commitment, so a subtree's figures hold every euro once. Funds financed from outside
    ``paths`` stay in: for that subtree they are money that came from above.
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
    if count_once:
        qs = qs.exclude(envelope_id__in=funds_financed_within(paths))
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
    """Rows for the drill-down table: two queries (the offices, then one rollup).

    Every euro counts once (``count_once``): a first recipient's funds financed by a grant booked
    in the table's scope are that grant's commitment, not more money; the rows add up to the
    total.
    """
    return office_and_source_tables(office=office, visible=visible, **filters)[0]


def office_and_source_tables(
    *, office: CoordinatingOffice | None, visible: Sequence[str] | None, **filters: Any
) -> tuple[list[OfficeRow], list[SourceRow]]:
    """The drill-down table and the table by funding source of the same scope, from one rollup
    grouped by branch and source (two queries with the offices); both add up to the same total."""
    if office is None:
        offices = top_offices(visible)
        rows = rollup(
            paths=visible, branches=[o.path for o in offices], group_by=["source"], count_once=True, **filters
        )
    else:
        offices = list(
            CoordinatingOffice.objects.filter(path__startswith=office.path, depth=office.depth + 1).order_by(
                "name"
            )
        )
        rows = rollup(
            paths=[office.path],
            branch_depth=office.depth + 1,
            group_by=["source"],
            count_once=True,
            **filters,
        )
    by_branch: dict[str, Figures] = {}
    by_source: dict[str, Figures] = {}
    for row in rows:
        by_branch[row["branch"]] = by_branch.get(row["branch"], Figures()) + row
        by_source[row["source"]] = by_source.get(row["source"], Figures()) + row
    table = [OfficeRow(o, by_branch.get(o.path, Figures())) for o in offices]
    if office is not None:
        table.insert(0, OfficeRow(office, by_branch.get(office.path, Figures()), own=True))
    return table, [SourceRow(source, by_source[source]) for source in sorted(by_source)]


@dataclass(frozen=True)
class SourceRow:
    """One line of the dashboard's table by funding source (DOMAIN.md §8)."""

    source: str
    figures: Figures

    @property
    def label(self) -> str:
        return str(FundingLevel(self.source).label) if self.source in FundingLevel.values else self.source


def source_table(
    *, office: CoordinatingOffice | None, visible: Sequence[str] | None, **filters: Any
) -> list[SourceRow]:
    """The office table's scope and filters, one row per funding source.

    Every euro counts once, as in :func:`office_table`: the rows add up to its total.
    """
    return office_and_source_tables(office=office, visible=visible, **filters)[1]


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


# --- money passed on (DOMAIN §7) -------------------------------------------------------------
#
# The figures of docs/chain.md. At one office (its own envelopes) every booking falls under
# exactly one heading, so a euro is counted once per level; over a subtree the figures add up,
# except that a fund financed by a grant booked inside the same subtree is not money from above
# (``received_within``): the subtree counts it once, as passed on.


def funds_financed_within(paths: Sequence[str] | None) -> QuerySet[Fund, Any]:
    """The envelopes (``envelope_id``) of the funds below ``paths`` whose financing grant is
    committed on an envelope below ``paths`` too (anywhere and everywhere when None)."""
    commitments = LedgerEntry.objects.filter(reference=OuterRef("source_reference"), kind=str(K.COMMITMENT))
    funds = Fund.objects.all()
    if paths is not None:
        commitments = commitments.filter(subtree_q(paths))
        funds = funds.filter(subtree_q(paths))
    return funds.filter(Exists(commitments)).values("envelope_id")


@dataclass(frozen=True)
class ChainFigures:
    """Money passed on at one office, or over a subtree (DOMAIN.md §7; defined in docs/chain.md).

    Every disbursement on the envelopes counted is in exactly one of ``passed_on_paid``,
    ``own_paid`` and ``last_paid``; every commitment in one of the three ``…_committed``.
    """

    budget: Decimal = ZERO  # ordinary envelopes: allocated + carry-over + reinforcements − blocked
    received: Decimal = ZERO  # fund envelopes: what grants above allocated to them
    received_within: Decimal = ZERO  # of it, financed by grants booked in the same scope
    passed_on_committed: Decimal = ZERO  # to grants whose file number finances a fund
    passed_on_paid: Decimal = ZERO
    own_committed: Decimal = ZERO  # to other grants, from ordinary envelopes
    own_paid: Decimal = ZERO
    last_committed: Decimal = ZERO  # to micro-projects, from fund envelopes
    last_paid: Decimal = ZERO
    last_recognised: Decimal = ZERO  # micro-projects' settled proofs of use (proven)
    reclaimed: Decimal = ZERO
    repaid: Decimal = ZERO

    @property
    def allocated_from_above(self) -> Decimal:
        """Money that reached the envelopes counted from outside: budgets, and funds financed
        by grants booked elsewhere."""
        return self.budget + self.received - self.received_within

    @property
    def returned(self) -> Decimal:
        return self.repaid

    @property
    def paid(self) -> Decimal:
        return self.passed_on_paid + self.own_paid + self.last_paid

    def __add__(self, other: ChainFigures) -> ChainFigures:
        return ChainFigures(**{f: getattr(self, f) + getattr(other, f) for f in CHAIN_FIGURES})


CHAIN_FIGURES = tuple(ChainFigures.__dataclass_fields__)

# A part of a table: ("own", path) = that office's own envelopes, ("tree", path) = its subtree;
# ("all", "") = every office.
Scope = tuple[str, str]


def _in_scope(path: str, scopes: Sequence[Scope]) -> bool:
    return any(
        kind == "all" or (path == root if kind == "own" else path.startswith(root)) for kind, root in scopes
    )


@dataclass(frozen=True)
class _ChainData:
    """The three reads a table is computed from, row by office (and reference)."""

    envelopes: list[dict[str, Any]]  # per office and ordinary/fund: summed envelope totals
    passed_on: list[dict[str, Any]]  # per financing reference, office and ordinary/fund
    funds: list[dict[str, Any]]  # per fund office and financing reference: the fund's budget

    def figures(self, scopes: Sequence[Scope]) -> ChainFigures:
        sums: dict[str, Decimal] = dict.fromkeys(CHAIN_FIGURES, ZERO)
        for row in self.envelopes:
            if not _in_scope(row["path"], scopes):
                continue
            budget = row["allocated"] + row["carry_over"] + row["reinforcements"] - row["blocked"]
            if row["is_fund"]:
                sums["received"] += budget
                sums["last_committed"] += row["committed"]
                sums["last_paid"] += row["disbursed"]
                sums["last_recognised"] += row["proven"]
            else:
                sums["budget"] += budget
                sums["own_committed"] += row["committed"]
                sums["own_paid"] += row["disbursed"]
            sums["reclaimed"] += row["reclaimed"]
            sums["repaid"] += row["repaid"]
        financed_here = set()
        for row in self.passed_on:
            if not _in_scope(row["path"], scopes):
                continue
            financed_here.add(row["reference"])
            sums["passed_on_committed"] += row["committed"]
            sums["passed_on_paid"] += row["disbursed"]
            mine = "last" if row["is_fund"] else "own"
            sums[f"{mine}_committed"] -= row["committed"]
            sums[f"{mine}_paid"] -= row["disbursed"]
            if row["is_fund"]:
                sums["last_recognised"] -= row["proven"]
        for row in self.funds:
            if row["reference"] in financed_here and _in_scope(row["path"], scopes):
                sums["received_within"] += row["budget"]
        return ChainFigures(**{name: value.quantize(CENT) for name, value in sums.items()})


def _chain_data(
    paths: Sequence[str] | None, *, year: int | None, programme: int | None, source: str | None
) -> _ChainData:
    """Three queries, each grouped by office (not by envelope, entry or grant)."""
    is_fund = ExpressionWrapper(Q(envelope__fund__isnull=False), output_field=BooleanField())

    def narrowed(qs: Any) -> Any:
        if paths is not None:
            qs = qs.filter(subtree_q(paths))
        if year is not None:
            qs = qs.filter(budget_year=year)
        if programme is not None:
            qs = qs.filter(envelope__programme_id=programme)
        if source:
            qs = qs.filter(envelope__funding_source=source)
        return qs

    def plain(row: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
        return {name: Decimal(row[f"{TOTAL_PREFIX}{name}"]) for name in names}

    envelopes = [
        {"path": r["envelope__office__path"], "is_fund": r["is_fund"], **plain(r, BOOKED_FIGURES)}
        for r in narrowed(EnvelopeTotal.objects.annotate(is_fund=is_fund))
        .values("envelope__office__path", "is_fund")
        .annotate(**total_aggregates())
        .order_by()
    ]
    passed_kinds = (*FIGURE_KINDS["committed"], *FIGURE_KINDS["disbursed"], *FIGURE_KINDS["proven"])
    aggregates = figure_aggregates()
    passed_on = [
        {
            "reference": r["reference"],
            "path": r["envelope__office__path"],
            "is_fund": r["is_fund"],
            **{name: Decimal(r[name]) for name in ("committed", "disbursed", "proven")},
        }
        for r in narrowed(
            LedgerEntry.objects.filter(
                reference__in=Fund.objects.values("source_reference"), kind__in=[str(k) for k in passed_kinds]
            ).annotate(is_fund=is_fund)
        )
        .values("reference", "envelope__office__path", "is_fund")
        .annotate(**{name: aggregates[name] for name in ("committed", "disbursed", "proven")})
        .order_by()
    ]
    funds = [
        {
            "path": r["envelope__office__path"],
            "reference": r["envelope__fund__source_reference"],
            "budget": sum(plain(r, ("allocated", "carry_over", "reinforcements")).values(), ZERO)
            - Decimal(r[f"{TOTAL_PREFIX}blocked"]),
        }
        for r in narrowed(EnvelopeTotal.objects.filter(envelope__fund__isnull=False))
        .values("envelope__office__path", "envelope__fund__source_reference")
        .annotate(**total_aggregates())
        .order_by()
    ]
    return _ChainData(envelopes, passed_on, funds)


@dataclass(frozen=True)
class ChainRow:
    """One line of the table: an office's own envelopes (``own``) or its whole subtree."""

    office: CoordinatingOffice
    figures: ChainFigures
    own: bool = False

    @property
    def has_children(self) -> bool:
        return not self.own and self.office.numchild > 0


@dataclass(frozen=True)
class ChainTable:
    """An office's own level and each child's subtree; the total counts every euro once."""

    office: CoordinatingOffice | None
    rows: list[ChainRow]
    total: ChainFigures

    @property
    def parts(self) -> ChainFigures:
        """The lines summed as they stand."""
        return sum((row.figures for row in self.rows), ChainFigures())

    @property
    def between(self) -> Decimal:
        """Money one line passed on to funds of another: in both lines' figures (allocated from
        above below, passed on above), in the total only as passed on."""
        return self.parts.allocated_from_above - self.total.allocated_from_above


def chain_table(
    *,
    office: CoordinatingOffice | None,
    visible: Sequence[str] | None,
    year: int | None = None,
    programme: int | None = None,
    source: str | None = None,
) -> ChainTable:
    """The drill-down of money passed on: below ``office`` (its own envelopes, then each child's
    subtree), or the user's top offices when None; four queries however large the tree.

    For each line and for the total: ``total = Σ lines`` for every figure, except
    ``allocated_from_above``, where the total leaves out what one line passed to another
    (:attr:`ChainTable.between`).
    """
    if office is None:
        offices = top_offices(visible)
        data = _chain_data(visible, year=year, programme=programme, source=source)
        rows = [ChainRow(o, data.figures([("tree", o.path)])) for o in offices]
        whole: list[Scope] = [("all", "")] if visible is None else [("tree", p) for p in visible]
        return ChainTable(None, rows, data.figures(whole))
    children = list(
        CoordinatingOffice.objects.filter(path__startswith=office.path, depth=office.depth + 1).order_by(
            "name"
        )
    )
    data = _chain_data([office.path], year=year, programme=programme, source=source)
    rows = [
        ChainRow(office, data.figures([("own", office.path)]), own=True),
        *(ChainRow(c, data.figures([("tree", c.path)])) for c in children),
    ]
    return ChainTable(office, rows, data.figures([("tree", office.path)]))


def first_recipient_bookings(
    *, office_id: int, year: int | None = None, programme: int | None = None, source: str | None = None
) -> dict[str, Figures]:
    """What one office's own envelopes committed and paid to first recipients: the bookings of
    every grant whose file number finances a fund, by file number; one query."""
    # Ordinary envelopes only: a fund's own allocation carries the same file number but is the
    # money arriving below, not a booking of this office for the first recipient.
    qs = LedgerEntry.objects.filter(
        envelope__office_id=office_id,
        envelope__fund__isnull=True,
        reference__in=Fund.objects.values("source_reference"),
    )
    if year is not None:
        qs = qs.filter(budget_year=year)
    if programme is not None:
        qs = qs.filter(envelope__programme_id=programme)
    if source:
        qs = qs.filter(envelope__funding_source=source)
    rows = qs.values("reference").annotate(**figure_aggregates()).order_by("reference")
    return {row["reference"]: _figures(row) for row in rows}


def envelope_references(envelope_ids: Iterable[int]) -> dict[tuple[int, str], Figures]:
    """Bookings per (envelope, file number) of the given envelopes, allocations left out: a
    fund's micro-projects; one query."""
    rows = (
        LedgerEntry.objects.filter(envelope_id__in=list(envelope_ids))
        .exclude(kind=str(K.ALLOCATION))
        .values("envelope_id", "reference")
        .annotate(**figure_aggregates())
        .order_by("envelope_id", "reference")
    )
    return {(row["envelope_id"], row["reference"]): _figures(row) for row in rows}


# --- money passed on through funds (DOMAIN.md §7) --------------------------------------------

PASSED_ON_GROUPS = {"year": "budget_year", "reference": "reference"}


def passed_on_figures(source_reference: str, *, by: str = "year") -> dict[Any, Figures]:
    """The bookings on the envelopes of every fund that the grant ``source_reference`` finances,
    grouped by budget year (``by="year"``) or by reference (``by="reference"``: one row per
    micro-project's file number, plus the funds' allocation under ``source_reference``); one query.

    ``allocated`` is what the grant put into its funds; ``committed``, ``disbursed``, ``proven``,
    ``reclaimed`` and ``repaid`` are the micro-projects' (``proven`` = the final grants of their
    settled proofs of use). A grant that finances no fund gets an empty dict.
    """
    column = PASSED_ON_GROUPS[by]
    rows = (
        LedgerEntry.objects.filter(envelope__fund__source_reference=source_reference)
        .values(column)
        .annotate(**figure_aggregates())
        .order_by(column)
    )
    return {row[column]: _figures(row) for row in rows}


def programme_reachable(office: CoordinatingOffice, programme: Any) -> bool:
    """Whether ``office`` or an office above it holds an envelope of ``programme`` (any year or
    source, funds' envelopes aside): without one, no application there can ever be approved."""
    step = CoordinatingOffice.steplen
    paths = [office.path[:end] for end in range(len(office.path), 0, -step)]
    return BudgetEnvelope.objects.filter(
        programme=programme, office__path__in=paths, fund__isnull=True
    ).exists()
