"""``{% allowed "grants.certify_drawdown" user drawdown as can_certify %}`` in templates.

The same named rule the service asks (``budgets.rules.allowed``), without Django's superuser
shortcut that ``{% has_perm %}`` goes through: a page never offers an administrator a step the
service would then refuse.
"""

from typing import Any

from django import template

from budgets.rules import allowed as rule_allows

register = template.Library()


@register.simple_tag
def allowed(name: str, user: Any, obj: Any = None) -> bool:
    return rule_allows(user, name, obj)
