"""The task inbox: every person's start page lists the steps waiting for them (issue 11 §2)."""
