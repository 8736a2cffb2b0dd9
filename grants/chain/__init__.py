"""Passing money on (DOMAIN.md §7): funds financed by a grant, committees, micro-projects,
forwarding documents and the first recipient's combined proof. Sits above ``grants.awards``."""
