"""Reclaims with interest, repayments, late-use interest and revocation (DOMAIN.md §3.8, §4.3)."""

from grants.awards.services.reclaim.decide import reclaim_decide
from grants.awards.services.reclaim.interest import InterestSegment, InterestStatement, reclaim_interest
from grants.awards.services.reclaim.late_use import (
    drawdown_record_use,
    drawdown_window_end,
    drawdowns_not_used_in_time,
    late_use_interest_claim,
)
from grants.awards.services.reclaim.repayment import reclaim_waive_interest, repayment_book
from grants.awards.services.reclaim.revocation import grant_revoke

__all__ = [
    "InterestSegment",
    "InterestStatement",
    "drawdown_record_use",
    "drawdown_window_end",
    "drawdowns_not_used_in_time",
    "grant_revoke",
    "late_use_interest_claim",
    "reclaim_decide",
    "reclaim_interest",
    "reclaim_waive_interest",
    "repayment_book",
]
