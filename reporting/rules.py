"""Named permissions of reporting (django-rules; autodiscovered as ``reporting.rules``).

Starting, finishing and failing a job are the export worker's steps, not a person's: the rule
refuses every user, so no page offers them as buttons (who may start an export at all is the
data access check of ``reporting.exports.selectors``).
"""

from __future__ import annotations

import rules
from django.utils.translation import gettext_lazy as _

from budgets.choices import StaffRole
from budgets.rules import Check, add_permission, holds_role_anywhere, is_admin, is_finance, is_office_staff

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

# Bank statements (camt.053): finance staff import them and handle their lines; a statement
# belongs to the office it was imported for and is handled in that office's subtree.
USE_BANK_STATEMENTS = "reporting.use_bank_statements"
HANDLE_BANK_STATEMENT = "reporting.handle_bank_statement"

add_permission(
    USE_BANK_STATEMENTS,
    Check(holds_role_anywhere(StaffRole.FINANCE), _("Bank statements are for finance staff.")),
)
add_permission(
    HANDLE_BANK_STATEMENT,
    Check(is_finance, _("Only finance staff of the statement's office can handle its lines.")),
)
