"""Use cases of personal API tokens: create (the secret is returned once), revoke, authenticate.

A token reads ``fv_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the whole token
is compared in constant time. Nothing that could rebuild a token is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, TokenScope
from budgets.rules import require
from core.errors import DomainError
from core.formatting import format_date

if TYPE_CHECKING:
    from accounts.models import User

TOKEN_PREFIX = "fv_"
MAX_DAYS = 366
# ``last_used_at`` is written at most once a minute per token: not a write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenRejected(Exception):
    """The bearer token is unknown, expired or revoked; ``message`` says which (German)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry_of(day: date) -> datetime:
    """A token valid "until 31.12.2026" works through that whole day (local time)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@transaction.atomic
def token_create(*, user: User, name: str, scope: str, expires_on: date) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token, which is never shown again."""
    name = name.strip()
    today = timezone.localdate()
    errors = []
    if not name:
        errors.append(_("Please give the token a name, e.g. the system that uses it."))
    if scope not in TokenScope.values:
        errors.append(_("Please choose whether the token may only read or also write."))
    if expires_on <= today:
        errors.append(_("The expiry date must lie in the future."))
    elif expires_on > today + timedelta(days=MAX_DAYS - 1):
        errors.append(
            _("A token is valid for at most one year, until %(date)s at the latest.")
            % {"date": format_date(today + timedelta(days=MAX_DAYS - 1))}
        )
    if errors:
        raise DomainError(errors)
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        token_hash=token_digest(secret),
        scope=scope,
        created_at=timezone.now(),
        expires_at=expiry_of(expires_on),
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke ``token`` at once; only its owner may. Revoking twice changes nothing."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    require(by, "api.manage_token", locked)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


def token_authenticate(raw: str, *, now: datetime | None = None) -> ApiToken:
    """The active token ``raw`` names, with its user loaded; raises :class:`TokenRejected`."""
    now = now or timezone.now()
    prefix, _sep, rest = raw.removeprefix(TOKEN_PREFIX).partition("_")
    if not raw.startswith(TOKEN_PREFIX) or not prefix or not rest:
        raise TokenRejected(_("The API token is not valid."))
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.token_hash, token_digest(raw)):
        raise TokenRejected(_("The API token is not valid."))
    if token.is_revoked:
        raise TokenRejected(_("The API token was revoked."))
    if token.is_expired(now):
        raise TokenRejected(
            _("The API token was valid until %(date)s.") % {"date": format_date(token.valid_until)}
        )
    if not token.user.is_active:
        raise TokenRejected(_("The API token's user account is deactivated."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
