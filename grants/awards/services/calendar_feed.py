"""Issuing, renewing and revoking a person's calendar feed address (issue 11 §2)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from grants.awards.models import FeedToken


def feed_token_active(*, user: Any) -> FeedToken | None:
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


@transaction.atomic
def feed_token_revoke(*, user: Any) -> int:
    """Revoke the person's address in force (if any); its feed answers 404 from now on.
    Returns how many were revoked (0 or 1)."""
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def feed_token_issue(*, user: Any) -> FeedToken:
    """A new secret address for the person; one still in force is revoked first (renewal)."""
    # Lock the person's row so two clicks at once do not both find "none in force".
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    feed_token_revoke(user=user)
    return FeedToken.objects.create(user=user)
