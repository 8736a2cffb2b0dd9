"""Named permissions of the API (django-rules; autodiscovered as ``api.rules``)."""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext_lazy as _

from budgets.rules import Check, add_permission


@rules.predicate
def owns_token(user: Any, token: Any) -> bool:
    return token is not None and getattr(user, "is_authenticated", False) and token.user_id == user.pk


# Keys of their own: nobody, not even an administrator, creates or revokes another person's token.
add_permission("api.manage_token", Check(owns_token, _("Only the owner of an API token can revoke it.")))

# Checked by the API itself for every request made with a token (``api.auth``): a read-only
# token reads, and only a read-and-write token changes anything.
WRITE_SCOPE = "api.write_scope"
