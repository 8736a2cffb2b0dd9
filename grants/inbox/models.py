"""Who in the office takes a waiting step (Zuweisung): one row per task, the latest assignment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskAssignment(models.Model):
    """A task of the inbox (its kind and the object it is about) given to one colleague.

    The object is named by kind and id rather than a generic foreign key: the kind says which
    model and which step, and each kind reads its assignments with one indexed query.
    """

    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("object"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned to")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("task assignment")
        verbose_name_plural = _("task assignments")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="task_assignment_one_per_task")
        ]
        indexes = [models.Index(fields=["assignee", "kind"], name="task_assignment_assignee")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} → {self.assignee_id}"
