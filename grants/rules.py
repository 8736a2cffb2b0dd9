"""Named object permissions, so templates and views can ask ``user.has_perm(name, obj)``."""

import rules

from grants.predicates import (
    can_decide_application,
    can_edit_application,
    can_process_application,
    can_view_application,
)

rules.add_perm("grants.view_application", can_view_application)
rules.add_perm("grants.edit_application", can_edit_application)
rules.add_perm("grants.process_application", can_process_application)
rules.add_perm("grants.decide_application", can_decide_application)
