"""Several funders for one grant (DOMAIN.md §8) in the documents: how amounts split by source.

Each amount is split with ``split_pro_rata`` over the grant's recorded shares
(``budgets.services.commitments.funding_shares``), the rule its ledger postings follow, so a
notice's instalment per source is exactly the commitment booked on that source's envelope.
A grant with a single source prints no split.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from budgets.models import FundingShare, LedgerEntry
from budgets.selectors import figure_aggregates, subtree_q
from budgets.services.commitments import funding_shares
from core.prorata import split_pro_rata
from reporting.documents.blocks import FUNDING_SOURCE_DE
from reporting.documents.layout import TEXT_WIDTH, Styles, eur, percent
from reporting.documents.tables import Row, amounts_table, figures_table

ZERO = Decimal("0")


def several_funders(reference: str) -> dict[str, Decimal]:
    """The shares of ``reference`` when more than one source carries a part; else empty."""
    shares = {source: amount for source, amount in funding_shares(reference).items() if amount}
    return shares if len(shares) > 1 else {}


def split_rows(
    shares: dict[str, Decimal], columns: Sequence[tuple[str, Decimal]], *, total_column: bool = False
) -> list[Row]:
    """One row per source: name, share in %, each column's amount split, and the total row."""
    whole = sum(shares.values(), ZERO)
    parts = [split_pro_rata(amount, shares) for _heading, amount in columns]
    rows = []
    for source, share in shares.items():
        cells = [p[source] for p in parts]
        rows.append(
            Row(
                [
                    FUNDING_SOURCE_DE.get(source, source),
                    percent(share * 100 / whole),
                    *(eur(c) for c in cells),
                    *([eur(sum(cells, ZERO))] if total_column else []),
                ]
            )
        )
    sums = [amount for _heading, amount in columns]
    rows.append(
        Row(
            [
                "Summe",
                percent(Decimal(100)),
                *(eur(a) for a in sums),
                *([eur(sum(sums, ZERO))] if total_column else []),
            ],
            kind="total",
        )
    )
    return rows


def funders_block(
    reference: str, columns: Sequence[tuple[str, Decimal]], *, intro: str, total_column: bool = False
) -> list[Flowable]:
    """A sentence and the table of ``columns`` (heading, amount) per funding source; nothing for
    a grant with one source."""
    shares = several_funders(reference)
    if not shares:
        return []
    header = [
        "Mittelgeber",
        "Anteil",
        *(heading for heading, _amount in columns),
        *(["Summe"] if total_column else []),
    ]
    amount_width = min(32 * mm, (TEXT_WIDTH - 60 * mm) / max(1, len(header) - 2))
    widths = [40 * mm, 20 * mm, *([amount_width] * (len(header) - 2))]
    return [
        Paragraph(intro, Styles.body),
        amounts_table(header, split_rows(shares, columns, total_column=total_column), widths),
    ]


def cofinanced_rows(*, paths: Sequence[str], year: int) -> list[dict]:
    """The budget report's split: per grant financed by several sources and per source, the
    grant's figures of ``year`` on the envelopes below ``paths`` (one aggregate over the ledger,
    restricted to the references with more than one source)."""
    several = (
        FundingShare.objects.filter(amount__gt=0)
        .values("reference")
        .annotate(sources=Count("pk"))
        .filter(sources__gt=1)
        .values("reference")
    )
    shares: dict[str, dict[str, Decimal]] = {}
    for share in FundingShare.objects.filter(reference__in=several, amount__gt=0):
        shares.setdefault(share.reference, {})[share.funding_source] = share.amount
    rows = (
        LedgerEntry.objects.filter(subtree_q(paths), reference__in=several, budget_year=year)
        .values("reference", "envelope__funding_source")
        .annotate(**figure_aggregates())
        .order_by("reference", "envelope__funding_source")
    )
    result = []
    for row in rows:
        of = shares.get(row["reference"], {})
        source = row["envelope__funding_source"]
        whole = sum(of.values(), ZERO)
        result.append(
            {
                "reference": row["reference"],
                "source": source,
                "share": of.get(source, ZERO) * 100 / whole if whole else None,
                **{
                    name: Decimal(row[name]).quantize(Decimal("0.01"))
                    for name in ("committed", "disbursed", "reclaimed", "repaid", "interest")
                },
            }
        )
    return result


COFINANCED_COLUMNS = (
    ("committed", "Gebunden"),
    ("disbursed", "Ausgezahlt"),
    ("reclaimed", "Zurück-<br/>gefordert"),
    ("repaid", "Zurück-<br/>gezahlt"),
    ("interest", "Zins-<br/>einnahmen"),
)


def cofinanced_section(*, paths: Sequence[str], year: int) -> list[Flowable]:
    """Section of the budget report: grants with several funders, each source on its own line."""
    rows = cofinanced_rows(paths=paths, year=year)
    if not rows:
        return [
            Paragraph(
                "In diesem Haushaltsjahr gibt es keine Zuwendungen mit mehreren Mittelgebern.", Styles.body
            )
        ]
    table_rows = []
    previous = None
    for row in rows:
        table_rows.append(
            Row(
                [
                    row["reference"] if row["reference"] != previous else "",
                    FUNDING_SOURCE_DE.get(row["source"], row["source"]),
                    percent(row["share"]),
                    *(eur(row[name]) for name, _heading in COFINANCED_COLUMNS),
                ]
            )
        )
        previous = row["reference"]
    header = ["Aktenzeichen", "Mittelgeber", "Anteil", *(heading for _name, heading in COFINANCED_COLUMNS)]
    widths = [
        30 * mm,
        26 * mm,
        14 * mm,
        *([(TEXT_WIDTH - 70 * mm) / len(COFINANCED_COLUMNS)] * len(COFINANCED_COLUMNS)),
    ]
    return [
        Paragraph(
            "Zuwendungen, die von mehreren Mittelgebern in festen Anteilen finanziert werden (Kofinanzierung): "
            "jede Buchung ist anteilig auf die Mittelgeber aufgeteilt, jeder Anteil auf dem Mittelansatz "
            "seiner Mittelherkunft.",
            Styles.body,
        ),
        figures_table(header, table_rows, widths, numeric_from=3, compact=True),
    ]
