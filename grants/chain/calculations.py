"""Share limits of a first recipient's annual grant (DOMAIN.md §7): plain Python, no ORM."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.formatting import format_eur, format_percent, format_percent_ceiling, format_percent_floor

HUNDRED = Decimal(100)
KEPT = "kept"


@dataclass(frozen=True)
class ShareLimit:
    group: str
    label: str
    kinds: str  # the fund kinds of the group, for the sentence ("Aktionsfonds, Jugendfonds")
    min_share: Decimal
    max_share: Decimal


def share_problems(
    *, instalment: Decimal, by_group: Mapping[str, Decimal], limits: Sequence[ShareLimit], complete: bool
) -> list[str]:
    """Which share limits the funds of one budget year break.

    ``by_group`` holds what the funds of each group take; what no fund takes is kept by the
    first recipient (group ``kept``). While funds are still being opened (``complete=False``)
    only the ceilings count: a minimum can still be reached by the next fund.
    """
    if instalment <= 0:
        return []
    in_funds = sum(by_group.values(), Decimal(0))
    amounts = {**by_group, KEPT: instalment - in_funds}
    problems = []
    for limit in limits:
        amount = amounts.get(limit.group, Decimal(0))
        share = amount / instalment * HUNDRED
        names = limit.kinds or limit.label
        if limit.group == KEPT:
            # The kept part shrinks as funds grow: its minimum is the ceiling while opening funds.
            if share < limit.min_share:
                problems.append(
                    _(
                        "The first recipient would keep %(share)s of the annual grant (%(amount)s) for %(label)s; the programme requires at least %(limit)s."
                    )
                    % _values(share, amount, limit.label, limit.min_share, below=True)
                )
            if complete and share > limit.max_share:
                problems.append(
                    _(
                        "The first recipient keeps %(share)s of the annual grant (%(amount)s) for %(label)s; the programme allows at most %(limit)s."
                    )
                    % _values(share, amount, limit.label, limit.max_share)
                )
            continue
        if share > limit.max_share:
            problems.append(
                _(
                    "Funds of the kind %(label)s would take %(share)s of the annual grant (%(amount)s); the programme allows at most %(limit)s."
                )
                % _values(share, amount, names, limit.max_share)
            )
        if complete and share < limit.min_share:
            problems.append(
                _(
                    "Funds of the kind %(label)s take %(share)s of the annual grant (%(amount)s); the programme requires at least %(limit)s."
                )
                % _values(share, amount, names, limit.min_share, below=True)
            )
    return problems


def _values(
    share: Decimal, amount: Decimal, label: str, limit: Decimal, *, below: bool = False
) -> dict[str, str]:
    # Rounded away from the limit, so a breach never reads as the limit itself.
    return {
        "share": format_percent_floor(share) if below else format_percent_ceiling(share),
        "amount": format_eur(amount),
        "label": label,
        "limit": format_percent(limit),
    }
