from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. What they may do comes from memberships:
    office staff through ``budgets.OfficeMembership``, carriers through
    ``grants.OrganisationMembership``; administrators are superusers."""

    email = models.EmailField(_("e-mail address"), blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class SecurityEventKind(models.TextChoices):
    """What the security log records (issue 12: who may get in, and who saw what)."""

    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Locked out after failed logins")
    SESSION_EXPIRED = "session_expired", _("Logged out after inactivity")
    SECOND_FACTOR_VERIFIED = "2fa_verified", _("Second factor confirmed")
    SECOND_FACTOR_FAILED = "2fa_failed", _("Wrong second-factor code")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    SECOND_FACTOR_ENABLED = "2fa_enabled", _("Two-factor authentication set up")
    SECOND_FACTOR_DISABLED = "2fa_disabled", _("Two-factor authentication turned off")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("New recovery codes")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PERMISSION_DENIED = "permission_denied", _("Access refused")
    BANK_DETAILS_CHANGED = "bank_details", _("Bank details changed")
    PERSONAL_DATA_EXPORT = "personal_data_export", _("Export of personal data downloaded")
    CONFIDENTIAL_DOWNLOAD = "document_download", _("Confidential document downloaded")


class SecurityEvent(models.Model):
    """One line of the security log: who did what, when, from where, to which object.

    Written only by ``accounts.security.security_log`` and never changed; a deleted user's
    lines stay (``user`` becomes empty, ``username`` keeps the name). ``username`` is also what
    a failed login typed, which may name nobody.
    """

    kind = models.CharField(_("event"), max_length=30, choices=SecurityEventKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("address"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="security_event_at"),
            models.Index(fields=["kind", "-at"], name="security_event_kind_at"),
            models.Index(fields=["user", "-at"], name="security_event_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.username or '–'} ({self.at:%Y-%m-%d %H:%M})"
