from django.contrib.auth.models import AbstractUser
from django.db import models
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
