"""Admin for carriers, applications, grants and drawdowns.

Rows that services write (applications, plans, grants, drawdowns, sequences) are read-only
here; every workflow step is an admin action that calls the same service as the user
interface, with ``by`` = the admin user, so the admin cannot skip a rule, the four-eyes
principle or the audit trail. Attachments are never linked to a storage URL; they open
through the permission-checked download view.
"""

from grants.admin import applications, carriers, grants, records

__all__ = ["applications", "carriers", "grants", "records"]
