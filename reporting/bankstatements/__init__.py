"""Bank statements (camt.053): import, matching of repayments and returned transfers, open lines."""
