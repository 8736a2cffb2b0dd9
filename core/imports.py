"""Uploads too large for a web request run as jobs: stored, checked or imported by a worker, watched.

The importing app decides what a job does: it hands :func:`import_job_create` the function
that queues its Celery task, and its task hands :func:`import_job_run` the function that runs
the import (its own service, with its own limits and rules). This module knows no import: it
stores the file, runs the job once (a finished job is left alone when a redelivered message
runs it again), keeps the progress where the polling page can read it, and records the
outcome (``Outcome``: whether every row was valid, how many rows and records, the first bad
rows with their lines) or the reason it failed.

Progress lives in the cache, not in the job row: an import runs in one transaction (all or
nothing), and its rows are invisible to every other connection until it commits.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import ImportJob

logger = logging.getLogger(__name__)

UNCONFIRMED_KEPT = timedelta(days=1)  # how long a checked file waits for its confirmation
SHOWN_BAD_ROWS = 200  # bad rows a job keeps for its page; the count says how many more there are
Progress = Callable[[int, int], None]  # (rows checked, rows in the file)


@dataclass(frozen=True)
class Outcome:
    """What a finished job found: the page shows it, the confirmation relies on ``ok``."""

    ok: bool
    rows: int
    created: int = 0
    bad: Sequence[tuple[int, Sequence[str]]] = field(default_factory=list)  # (line, messages)

    def as_json(self) -> dict[str, Any]:
        bad = [[line, list(messages)] for line, messages in self.bad]
        return {
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "bad_count": len(bad),
            "bad": bad[:SHOWN_BAD_ROWS],
        }


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:progress"


def progress(job: ImportJob) -> tuple[int, int | None]:
    """(rows checked, rows in the file) of a running job, as the worker last reported them."""
    if job.is_done:
        rows = int(job.result.get("rows", 0))
        return rows, rows
    done, total = cache.get(_progress_key(job.pk), (0, job.rows_total))
    return done, total


def import_job_create(
    *,
    kind: str,
    by: Any,
    content: bytes,
    file_name: str,
    dry_run: bool,
    enqueue: Callable[[int], None],
    target_id: int | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Store the file and the job; the job is queued once the transaction commits.

    Files of this user's checks that were never confirmed are removed after a day.
    """
    with transaction.atomic():
        stale = ImportJob.objects.filter(created_by=by, created_at__lt=timezone.now() - UNCONFIRMED_KEPT)
        for old in stale.exclude(file="").filter(dry_run=True):
            _forget_file(old)
        job = ImportJob(
            kind=kind,
            target_id=target_id,
            dry_run=dry_run,
            options=options or {},
            file_name=file_name[:200],
            digest=digest(content),
            created_by=by,
        )
        job.save()
        job.file.save(get_valid_filename(file_name) or "upload", ContentFile(content), save=False)
        job.save(update_fields=["file"])
        # robust: without a broker the task runs in-process; its failure is recorded on the
        # job and must not break the page that started it.
        transaction.on_commit(partial(enqueue, job.pk), robust=True)
    return job


def job_content(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def import_job_run(*, job_id: int, run: Callable[[ImportJob, bytes, Progress], Outcome]) -> ImportJob:
    """Run a queued (or interrupted) job to the end: done with its outcome, or failed with the reason."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("created_by").get(pk=job_id)
        if not job.is_pending:
            return job
        job.start()
        job.save_changes()

    def report(done: int, total: int) -> None:
        cache.set(_progress_key(job.pk), (done, total), timeout=24 * 3600)

    try:
        outcome = run(job, job_content(job), report)
    except DomainError as exc:
        # Broken rules (a file beyond the limits, the proof no longer editable) are final.
        return _end(job, reason="\n".join(exc.messages))
    except SoftTimeLimitExceeded:
        return _end(job, reason=_("The import took too long and was stopped; nothing was written."))
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        _end(
            job,
            reason=_("The import could not be completed because of an internal error; nothing was written."),
        )
        raise
    return _end(job, outcome=outcome)


def _end(job: ImportJob, *, outcome: Outcome | None = None, reason: str = "") -> ImportJob:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_pending:
            if outcome is not None:
                locked.finish(result=outcome.as_json())
            else:
                locked.fail(reason=reason)
            locked.save_changes()
            if locked.file and (not locked.dry_run or not locked.all_valid):
                # The file (often with names of people) is needed no longer: an import is
                # done or failed, and a check that found errors is never confirmed.
                _forget_file(locked)
    cache.delete(_progress_key(job.pk))
    return locked


def import_job_confirm(*, job: ImportJob, by: Any, enqueue: Callable[[int], None]) -> ImportJob:
    """Import the file a finished check found valid, as a new job; the check's file goes with it."""
    with transaction.atomic():
        checked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if checked.created_by_id != by.pk or not checked.dry_run or not checked.all_valid or not checked.file:
            raise DomainError(_("There is no checked file to import. Please upload it again."))
        content = job_content(checked)
        if digest(content) != checked.digest:
            raise DomainError(_("There is no checked file to import. Please upload it again."))
        imported = import_job_create(
            kind=checked.kind,
            by=by,
            content=content,
            file_name=checked.file_name,
            dry_run=False,
            enqueue=enqueue,
            target_id=checked.target_id,
            options=checked.options,
        )
        _forget_file(checked)
    return imported


def _forget_file(job: ImportJob) -> None:
    """Remove the job's file once the transaction commits (the row keeps its name and checksum)."""
    storage, name = job.file.storage, job.file.name
    ImportJob.objects.filter(pk=job.pk).update(file="")
    transaction.on_commit(lambda: storage.delete(name))
