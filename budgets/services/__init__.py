"""Budget use cases. Every write to envelopes and the ledger goes through these modules.

- ``envelopes``: create envelopes and post allocation, carry-over, reinforcement and block entries.
- ``commitments``: commit a grant's annual instalments at approval (called by grants), and post
  decommitments, disbursements, proven amounts, reclaims and repayments against them.
"""
