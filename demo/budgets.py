"""Budget envelopes of the demo world (called by ``seed_demo``), created through the service.

Sized against the demo's applications so that after the seeded approvals some offices are
nearly exhausted: ZT-S1 at bpb (92 % / 95 % / 98 % committed in 2027–2029) and the Saxon state
programme WOS (74 %; approving the pending WOS proposal would take it to 95 %). The
partnerships' own grants come from the Demokratie-Zentrum's envelopes (``demo.chain``); the
envelopes at the PfD offices carry the projects filed there directly.
Idempotent: an envelope that exists already is left alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from budgets.models import BudgetEnvelope, CoordinatingOffice, FundingProgramme
from budgets.services.envelopes import envelope_create

# (office code, programme code, years, budget title, allocated, extra figures)
ENVELOPES: list[tuple[str, str, tuple[int, ...], str, int, dict[str, int]]] = [
    # Demokratie leben! partnerships: one envelope per local partnership office.
    ("SN-L", "DL-PFD", (2027,), "1702 684 04", 125_000, {"carry_over": 8_500}),
    ("SN-DD", "DL-PFD", (2027,), "1702 684 04", 125_000, {}),
    ("SN-GR", "DL-PFD", (2027, 2028), "1702 684 04", 125_000, {}),
    ("MV-VG", "DL-PFD", (2027, 2028), "1702 684 04", 125_000, {}),
    ("MV-HRO", "DL-PFD", (2027,), "1702 684 04", 125_000, {}),
    ("BW-MA", "DL-PFD", (2027,), "1702 684 04", 125_000, {}),
    # Model projects are financed centrally by the federal office.
    ("BAFZA", "DL-MP", (2027, 2028), "1702 684 05", 600_000, {}),
    # Zusammenhalt durch Teilhabe at bpb.
    ("BPB", "ZT-S1", (2027, 2028, 2029), "0635 684 01", 315_000, {}),
    ("BPB", "ZT-S2", (2027, 2028), "0635 684 02", 420_000, {}),
    # State programmes: Saxony (with a budget block) and Mecklenburg-Vorpommern.
    ("SN", "WOS", (2027,), "0803 684 51", 260_000, {"blocked": 10_000}),
    ("SN", "WOS-K", (2027,), "0803 684 52", 40_000, {}),
    ("MV", "MV-LP", (2027,), "1003 684 11", 150_000, {"reinforcements": 12_000}),
]


def seed_budget_envelopes(*, by: Any) -> int:
    """Create the demo envelopes; ``by`` needs finance rights over the offices (or is a superuser).

    Returns the number of envelopes created.
    """
    offices = {o.code: o for o in CoordinatingOffice.objects.filter(code__in={e[0] for e in ENVELOPES})}
    programmes = {p.code: p for p in FundingProgramme.objects.filter(code__in={e[1] for e in ENVELOPES})}
    created = 0
    for office_code, programme_code, years, title, allocated, extra in ENVELOPES:
        office, programme = offices.get(office_code), programmes.get(programme_code)
        if office is None or programme is None:
            continue
        for year in years:
            exists = BudgetEnvelope.objects.filter(
                office=office,
                programme=programme,
                budget_year=year,
                funding_source=programme.funding_level,
                budget_title=title,
            ).exists()
            if exists:
                continue
            envelope_create(
                office=office,
                programme=programme,
                budget_year=year,
                funding_source=programme.funding_level,
                budget_title=title,
                allocated=Decimal(allocated),
                is_default=True,
                by=by,
                comment="Haushaltsplan (Demo)",
                **{key: Decimal(value) for key, value in extra.items()},
            )
            created += 1
    return created
