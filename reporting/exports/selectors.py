"""What an export contains: the rows a user may see, filtered, in a fixed order.

Access comes first and follows the pages: carriers see their organisations' applications,
grants, payments and receipts; staff see their offices' subtrees (any role for the grant
side, the budget roles of ``budgets.rules`` for ledger and rollup); superusers see
everything. A staff member never sees a carrier's unsubmitted draft (the worklist rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from import_export.resources import Resource

from accounts.models import User
from budgets.choices import FundingLevel
from budgets.models import CoordinatingOffice, FundingProgramme, LedgerEntry
from budgets.rules import DASHBOARD_ROLES, office_roles, role_paths
from budgets.selectors import rollup
from core.errors import AccessDenied, DomainError
from grants.applications.models import ApplicationState
from grants.awards.models import GrantState
from grants.awards.payments.models import DrawdownState
from grants.rules import carrier_organisation_ids
from reporting.exports import resources as r
from reporting.models import ExportKind

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ExportSpec:
    """How one kind of export is scoped, filtered, ordered and named."""

    resource: type[Resource]
    file_stem: str  # ASCII: file names travel through mail gateways and old file shares
    sheet_title: str
    office_prefix: str  # lookup prefix of the responsible office ("office__", "grant__office__")
    carrier_field: str | None  # organisation lookup; None: staff only (budget data)
    programme_field: str
    year_q: Callable[[int], Q] | None
    ordering: tuple[str, ...]
    staff_roles: tuple[str, ...] | None = None  # None: any staff role
    state_field: str | None = None
    state_choices: Sequence[tuple[str, Any]] = field(default_factory=tuple)
    # Rows financed from a funding source (DOMAIN.md §8); None: not filterable by source.
    source_q: Callable[[str], Q] | None = None


def booked_from(file_number: str) -> Callable[[str], Q]:
    """Rows whose grant (``file_number`` lookup) has money booked on an envelope of the source."""

    def q(source: str) -> Q:
        booked = LedgerEntry.objects.filter(reference=OuterRef(file_number), envelope__funding_source=source)
        return Q(Exists(booked))

    return q


SPECS: dict[str, ExportSpec] = {
    ExportKind.APPLICATIONS: ExportSpec(
        resource=r.ApplicationExportResource,
        file_stem="Antraege",
        sheet_title="Anträge",
        office_prefix="office__",
        carrier_field="organisation_id",
        programme_field="programme_id",
        year_q=lambda year: Q(start_date__year=year),
        ordering=("reference", "pk"),
        state_field="state",
        state_choices=ApplicationState.choices,
    ),
    ExportKind.GRANTS: ExportSpec(
        resource=r.GrantExportResource,
        file_stem="Zuwendungen",
        sheet_title="Zuwendungen",
        office_prefix="office__",
        carrier_field="organisation_id",
        programme_field="programme_id",
        # A grant belongs to every budget year its approval period touches.
        year_q=lambda year: Q(period_start__lte=date(year, 12, 31), period_end__gte=date(year, 1, 1)),
        ordering=("file_number",),
        state_field="state",
        state_choices=GrantState.choices,
        source_q=booked_from("file_number"),
    ),
    ExportKind.DRAWDOWNS: ExportSpec(
        resource=r.DrawdownExportResource,
        file_stem="Mittelabrufe",
        sheet_title="Mittelabrufe",
        office_prefix="grant__office__",
        carrier_field="grant__organisation_id",
        programme_field="grant__programme_id",
        year_q=lambda year: Q(budget_year=year),
        ordering=("grant__file_number", "requested_at", "pk"),
        state_field="state",
        state_choices=DrawdownState.choices,
        source_q=booked_from("grant__file_number"),
    ),
    ExportKind.RECEIPTS: ExportSpec(
        resource=r.ReceiptExportResource,
        file_stem="Belege",
        sheet_title="Belege",
        office_prefix="proof__grant__office__",
        carrier_field="proof__grant__organisation_id",
        programme_field="proof__grant__programme_id",
        year_q=lambda year: Q(paid_on__year=year),
        ordering=("proof__grant__file_number", "proof_id", "paid_on", "number", "pk"),
        source_q=booked_from("proof__grant__file_number"),
    ),
    ExportKind.LEDGER: ExportSpec(
        resource=r.LedgerExportResource,
        file_stem="Buchungen",
        sheet_title="Buchungen",
        office_prefix="envelope__office__",
        carrier_field=None,
        programme_field="envelope__programme_id",
        year_q=lambda year: Q(budget_year=year),
        ordering=("created_at", "pk"),
        staff_roles=DASHBOARD_ROLES,
        source_q=lambda source: Q(envelope__funding_source=source),
    ),
    ExportKind.ROLLUP: ExportSpec(
        resource=r.RollupExportResource,
        file_stem="Haushaltsuebersicht",
        sheet_title="Haushaltsübersicht",
        office_prefix="envelope__office__",
        carrier_field=None,
        programme_field="envelope__programme_id",
        year_q=None,  # the rollup filters by year itself
        ordering=(),
        staff_roles=DASHBOARD_ROLES,
        source_q=lambda source: Q(),  # the rollup filters by source itself
    ),
}


def _outermost(paths: set[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def staff_paths(user: User, kind: str) -> list[str] | None:
    """Subtree roots in which the user may export ``kind``; None: everything (superuser)."""
    spec = SPECS[kind]
    if getattr(user, "is_superuser", False):
        return None
    if spec.staff_roles is not None:
        return role_paths(user, spec.staff_roles) or []
    return _outermost({path for path, _role in office_roles(user)})


def _carrier_ids(user: User, kind: str) -> set[int]:
    return carrier_organisation_ids(user) if SPECS[kind].carrier_field else set()


def may_export(user: User, kind: str) -> bool:
    if not getattr(user, "is_authenticated", False) or kind not in SPECS:
        return False
    paths = staff_paths(user, kind)
    return paths is None or bool(paths) or bool(_carrier_ids(user, kind))


def exportable_kinds(user: User) -> list[str]:
    return [kind for kind in ExportKind.values if may_export(user, kind)]


@dataclass(frozen=True)
class Filters:
    office: CoordinatingOffice | None = None
    programme: int | None = None
    year: int | None = None
    state: str = ""
    source: str = ""


def check_filters(user: User, kind: str, filters: dict[str, Any]) -> Filters:
    """The filters as objects, after the access check; raises AccessDenied or DomainError."""
    if not may_export(user, kind):
        raise AccessDenied(_("You may not export these data."))
    spec = SPECS[kind]
    unknown = set(filters) - {"office", "programme", "year", "state", "source"}
    if unknown:
        raise DomainError(_("Unknown filter: %(names)s") % {"names": ", ".join(sorted(unknown))})
    office = None
    if filters.get("office"):
        office = CoordinatingOffice.objects.filter(pk=filters["office"]).first()
        paths = staff_paths(user, kind)
        covered = office is not None and (paths is None or any(office.path.startswith(p) for p in paths))
        # Carriers may narrow their own rows to an office; staff only to offices they cover.
        if office is None or not (covered or _carrier_ids(user, kind)):
            raise AccessDenied(_("This office lies outside your offices."))
    programme = int(filters["programme"]) if filters.get("programme") else None
    if programme is not None and not FundingProgramme.objects.filter(pk=programme).exists():
        raise DomainError(_("This programme does not exist."))
    year = filters.get("year") or None
    if year is not None and not (2000 <= int(year) <= 2100):
        raise DomainError(_("Please enter a budget year between 2000 and 2100."))
    state = filters.get("state") or ""
    if state and state not in {value for value, _label in spec.state_choices}:
        raise DomainError(_("This export cannot be filtered by that state."))
    source = filters.get("source") or ""
    if source and source not in FundingLevel.values:
        raise DomainError(_("“%(source)s” is not a funding source.") % {"source": source})
    if source and spec.source_q is None:
        raise DomainError(_("This export cannot be filtered by funding source."))
    return Filters(
        office=office, programme=programme, year=int(year) if year else None, state=state, source=source
    )


def _visibility_q(user: User, kind: str) -> Q:
    spec = SPECS[kind]
    paths = staff_paths(user, kind)
    if paths is None:
        return Q()
    staff = Q(pk__in=[])
    for path in paths:
        staff |= Q(**{f"{spec.office_prefix}path__startswith": path})
    if kind == ExportKind.APPLICATIONS:
        staff &= ~Q(state=ApplicationState.DRAFT)
    carrier_ids = _carrier_ids(user, kind)
    if carrier_ids:
        return staff | Q(**{f"{spec.carrier_field}__in": carrier_ids})
    return staff


def export_queryset(kind: str, user: User, filters: dict[str, Any]) -> QuerySet[Any] | list[dict[str, Any]]:
    """The rows of an export of ``kind`` for ``user``: access first, then the filters.

    A queryset of model rows (the export reads it with ``values_list``), or for the rollup
    a list of row dicts.
    """
    checked = check_filters(user, kind, filters)
    if kind == ExportKind.ROLLUP:
        return _rollup_rows(user, checked)
    spec = SPECS[kind]
    qs = spec.resource().get_queryset().filter(_visibility_q(user, kind))
    if checked.office is not None:
        qs = qs.filter(**{f"{spec.office_prefix}path__startswith": checked.office.path})
    if checked.programme is not None:
        qs = qs.filter(**{spec.programme_field: checked.programme})
    if checked.year is not None and spec.year_q is not None:
        qs = qs.filter(spec.year_q(checked.year))
    if checked.state and spec.state_field:
        qs = qs.filter(**{spec.state_field: checked.state})
    if checked.source and spec.source_q is not None:
        qs = qs.filter(spec.source_q(checked.source))
    return qs.order_by(*spec.ordering)


def _rollup_rows(user: User, checked: Filters) -> list[dict[str, Any]]:
    paths = staff_paths(user, ExportKind.ROLLUP)
    if checked.office is not None:
        paths = [checked.office.path]
    figures = rollup(
        paths=paths,
        group_by=["office", "programme", "year", "source"],
        year=checked.year,
        programme=checked.programme,
        source=checked.source or None,
        # A euro once (DOMAIN §7): funds financed by a grant inside the exported offices are that
        # grant's commitment already, as on the dashboard and in the budget report.
        count_once=True,
    )
    offices = {
        o.pk: o
        for o in CoordinatingOffice.objects.filter(pk__in={f["office"] for f in figures}).only("name", "path")
    }
    programmes = dict(
        FundingProgramme.objects.filter(pk__in={f["programme"] for f in figures}).values_list("pk", "name")
    )
    rows = [
        {
            "office": offices[f["office"]].name,
            "programme": programmes[f["programme"]],
            "year": f["year"],
            "source": f["source"],
            "allocated": f.allocated,
            "carry_over": f.carry_over,
            "reinforcements": f.reinforcements,
            "blocked": f.blocked,
            "committed": f.committed,
            "disbursed": f.disbursed,
            "open": f.open,
            "proven": f.proven,
            "reclaimed": f.reclaimed,
            "repaid": f.repaid,
            "available": f.available,
            "_path": offices[f["office"]].path,
        }
        for f in figures
    ]
    rows.sort(key=lambda row: (row["_path"], row["programme"], row["year"], row["source"]))
    return rows


@dataclass
class ExportTable:
    """An export ready to stream: headers, the column widgets and a row iterator."""

    headers: list[str]
    widgets: list[Any]
    sheet_title: str
    source: QuerySet[Any] | list[dict[str, Any]]
    attributes: list[str]

    def count(self) -> int:
        return len(self.source) if isinstance(self.source, list) else self.source.count()

    def rows(self) -> Iterator[Sequence[Any]]:
        if isinstance(self.source, list):
            attrs = self.attributes
            return (tuple(row[a] for a in attrs) for row in self.source)
        # One query, read in chunks: memory stays flat however many rows there are.
        return self.source.values_list(*self.attributes).iterator(chunk_size=CHUNK_SIZE)


def export_table(kind: str, user: User, filters: dict[str, Any]) -> ExportTable:
    spec = SPECS[kind]
    fields = spec.resource().get_export_fields()
    return ExportTable(
        headers=[str(f.column_name) for f in fields],
        widgets=[f.widget for f in fields],
        sheet_title=spec.sheet_title,
        source=export_queryset(kind, user, filters),
        attributes=[f.attribute for f in fields],
    )


def filters_summary(filters: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a job's filters for its page; one query per named object."""
    spec = SPECS.get(kind)
    summary: list[tuple[str, str]] = []
    if filters.get("office"):
        office = (
            CoordinatingOffice.objects.filter(pk=filters["office"]).values_list("name", flat=True).first()
        )
        summary.append((_("Office"), office or "–"))
    if filters.get("programme"):
        name = FundingProgramme.objects.filter(pk=filters["programme"]).values_list("name", flat=True).first()
        summary.append((_("Programme"), name or "–"))
    if filters.get("year"):
        summary.append((_("Budget year"), str(filters["year"])))
    if filters.get("source"):
        source = filters["source"]
        summary.append(
            (
                _("Funding source"),
                str(FundingLevel(source).label) if source in FundingLevel.values else source,
            )
        )
    if filters.get("state") and spec:
        labels = {value: str(label) for value, label in spec.state_choices}
        summary.append((_("Status"), labels.get(filters["state"], filters["state"])))
    return summary
