"""The secret address of a person's calendar feed (issue 11 §2).

Calendar programs cannot log in, so the feed is reached by a random token in its URL. A person
has at most one token in force; revoking it (or renewing, which revokes and issues a new one)
makes the old address answer 404 at once.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens"
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed address")
        verbose_name_plural = _("calendar feed addresses")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_active_feed_token_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%d.%m.%Y}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
