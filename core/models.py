"""Model helpers shared by every app, the import jobs of large uploads and the one-time form keys."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class SavesChangedFields(models.Model):
    """Save exactly the fields that changed since the row was read.

    A service calls a transition (which sets the state and whatever the transition body sets)
    and then ``obj.save_changes()``: the ``UPDATE`` names the changed columns, so no hand-kept
    ``update_fields`` list can drift from the transition body, and a concurrent write to another
    column of the same row is not overwritten.
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        instance = super().from_db(db, field_names, values)
        # Only the columns actually loaded: reading a deferred one here would query it (and
        # ``refresh_from_db`` of a deferred field would recurse into this very method).
        instance._loaded_values = {
            field.attname: instance.__dict__[field.attname]
            for field in cls._meta.concrete_fields
            if field.attname in instance.__dict__
        }
        return instance

    def changed_fields(self) -> list[str]:
        loaded: dict[str, Any] | None = getattr(self, "_loaded_values", None)
        if loaded is None:
            return [f.attname for f in self._meta.concrete_fields if not f.primary_key]
        return [
            field.name
            for field in self._meta.concrete_fields
            if field.attname in loaded and getattr(self, field.attname) != loaded[field.attname]
        ]

    def save_changes(self) -> list[str]:
        """Save the changed fields (a new row is inserted whole); returns their names."""
        if self._state.adding or self.pk is None:
            self.save()
            changed = [f.name for f in self._meta.concrete_fields]
        else:
            changed = self.changed_fields()
            if changed:
                self.save(update_fields=changed)
        self._loaded_values = {
            f.attname: self.__dict__[f.attname]
            for f in self._meta.concrete_fields
            if f.attname in self.__dict__
        }
        return changed


class ImportJobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


def import_path(job: ImportJob, name: str) -> str:
    return f"imports/{job.pk or 'new'}/{name}"


class ImportJob(SavesChangedFields, models.Model):
    """An upload too large for a web request, checked or imported by a Celery worker.

    ``kind`` names the import (``envelopes``, ``receipts``: each app runs its own); ``dry_run``
    says whether the job only checks the file (the first step) or imports it (the confirmation,
    of exactly the file that was checked: same ``digest``). While the worker runs, the rows
    checked so far are in the cache (``core.imports.progress``), because the import itself runs
    in one transaction that nobody sees until it commits; ``result`` holds the outcome: whether
    every row was valid, how many rows and receipts, and the first bad rows with their lines.
    """

    kind = models.CharField(_("import"), max_length=20)
    target_id = models.PositiveIntegerField(_("target"), null=True, blank=True)
    dry_run = models.BooleanField(_("check only"), default=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to=import_path, max_length=255)
    file_name = models.CharField(_("file name"), max_length=200)
    digest = models.CharField(_("checksum"), max_length=64)
    state = FSMField(
        _("state"),
        max_length=8,
        choices=ImportJobState.choices,
        default=ImportJobState.QUEUED,
        protected=True,
    )
    rows_total = models.PositiveIntegerField(_("rows in total"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.state})"

    @property
    def is_pending(self) -> bool:
        """Queued or running: the page keeps looking."""
        return self.state in (ImportJobState.QUEUED, ImportJobState.RUNNING)

    @property
    def is_queued(self) -> bool:
        return self.state == ImportJobState.QUEUED

    @property
    def is_done(self) -> bool:
        return self.state == ImportJobState.DONE

    @property
    def is_failed(self) -> bool:
        return self.state == ImportJobState.FAILED

    @property
    def all_valid(self) -> bool:
        """Done, and every row of the file was valid."""
        return self.is_done and bool(self.result.get("ok"))

    @transition(
        field=state, source=[ImportJobState.QUEUED, ImportJobState.RUNNING], target=ImportJobState.RUNNING
    )
    def start(self) -> None:
        """Started (again, when a worker died and the message was delivered once more)."""

    @transition(field=state, source=ImportJobState.RUNNING, target=ImportJobState.DONE)
    def finish(self, *, result: dict[str, Any]) -> None:
        self.result = result
        self.finished_at = timezone.now()

    @transition(
        field=state, source=[ImportJobState.QUEUED, ImportJobState.RUNNING], target=ImportJobState.FAILED
    )
    def fail(self, *, reason: str) -> None:
        self.error = reason
        self.finished_at = timezone.now()


class IdempotencyKey(models.Model):
    """The one-time key of a sent form (``core.idempotency``): the first POST with it does the work.

    Written before the view runs (the unique constraint lets exactly one request through);
    ``location`` is where the first request's answer redirected to, which is where a replay of
    the same form is sent without doing anything. A key whose request failed or answered with
    a page instead of a redirect (a form with errors) is deleted, so the form may be sent again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    path = models.CharField(max_length=400)
    location = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("form key")
        verbose_name_plural = _("form keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_form_key_per_user")]
        indexes = [models.Index(fields=["user", "created_at"], name="form_key_user_created")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} → {self.location or '…'}"
