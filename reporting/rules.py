"""Named permissions of reporting (django-rules; autodiscovered as ``reporting.rules``).

Starting, finishing and failing a job are the export worker's steps, not a person's: the rule
refuses every user, so no page offers them as buttons (who may start an export at all is the
data access check of ``reporting.exports.selectors``).
"""

from __future__ import annotations

import rules
from django.utils.translation import gettext_lazy as _

from budgets.rules import Check, add_permission, is_admin, is_office_staff

WORKER_STEP = "reporting.export_worker_step"

add_permission(
    WORKER_STEP,
    Check(rules.always_deny, _("Only the export worker runs, finishes or fails an export job.")),
)

# The authority's own papers (payment orders, settlement memos) are for its staff, not the carrier.
add_permission(
    "reporting.view_internal_documents",
    Check(is_admin | is_office_staff, _("Only staff of the responsible office can see internal papers.")),
)
