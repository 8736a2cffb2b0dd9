"""Export jobs: start one, run it (in a Celery worker), and write an export into a file.

A job is safe to run twice (``acks_late`` redelivers it when a worker dies): a finished job
returns at once, and a rerun replaces the job's one file instead of adding a second. The job's
state changes only through its transitions (``start``, ``finish``, ``fail``), each under the
job's row lock and saved with ``save_changes``; ``ExportJobLog`` keeps the history.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.formatting import format_number
from reporting.exports.selectors import CHUNK_SIZE, SPECS, check_filters, export_table
from reporting.exports.writers import WRITERS, Progress
from reporting.models import ExportFormat, ExportJob, ExportJobLog, ExportKind

logger = logging.getLogger(__name__)

FILTER_KEYS = ("office", "programme", "year", "state")
XLSX_MAX_ROWS = 1_048_575  # an Excel sheet has 1,048,576 rows, one of them the header


def export_write(
    *,
    kind: str,
    user: User,
    filters: dict[str, Any],
    fmt: str,
    out: BinaryIO,
    on_progress: Progress | None = None,
    every: int = CHUNK_SIZE,
) -> int:
    """Write the export of ``kind`` that ``user`` may see into ``out``; returns the row count.

    A fixed number of queries however many rows: the access check and one ``values_list``
    query read in chunks (for the rollup: the rollup query and the office and programme names).
    """
    table = export_table(kind, user, filters)
    return WRITERS[fmt](out, table, on_progress=on_progress or (lambda rows: None), every=every)


def export_file_name(job: ExportJob) -> str:
    day = timezone.localtime(job.created_at).date().isoformat()
    return f"{SPECS[job.kind].file_stem}_{day}_{job.pk.hex[:8]}.{job.format}"


def export_job_create(*, user: User, kind: str, fmt: str, filters: dict[str, Any]) -> ExportJob:
    """Record the job and queue it once the transaction commits; refuses what the user may not see."""
    if kind not in ExportKind.values or fmt not in ExportFormat.values:
        raise DomainError(_("Please choose an export and a format."))
    clean = {key: filters[key] for key in FILTER_KEYS if filters.get(key) not in (None, "")}
    check_filters(user, kind, clean)
    with transaction.atomic():
        job = ExportJob.objects.create(kind=kind, format=fmt, filters=clean, created_by=user)
        ExportJobLog.objects.create(job=job, by=user, state=job.state, transition="create")
        # robust: without a broker the task runs in-process; its failure is recorded on the
        # job and must not break the page that started it.
        transaction.on_commit(partial(_enqueue, job.pk), robust=True)
    return job


def _enqueue(job_id: UUID) -> None:
    from reporting.exports.tasks import run_export_job

    run_export_job.delay(str(job_id))


def export_job_run(*, job_id: UUID | str, every: int = CHUNK_SIZE) -> ExportJob:
    """Run a queued (or interrupted) job to the end: done with its file, or failed with the reason."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=job_id)
        if job.is_done:
            return job
        job.start()
        job.save_changes()
    try:
        with _scratch_file(job) as scratch:
            rows = _write(job, scratch, every)
            return _store(job, scratch, rows)
    except DomainError as exc:
        # Broken rules (the creator lost access, a filter no longer valid) are final.
        return _fail(job, "\n".join(exc.messages))
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        _fail(
            job, _("The export could not be completed because of an internal error. Please start it again.")
        )
        raise  # the task retries what may be transient


class _ScratchFile(File):
    """The written export as the storage sees it: a file on disk that it may move into place.

    ``FileSystemStorage`` moves a file that names its ``temporary_file_path`` (a rename on the
    same file system) instead of copying it chunk by chunk: for a 1,000,000-row CSV that is
    a few hundred megabytes not read and written a second time.
    """

    def temporary_file_path(self) -> str:
        return str(getattr(self.file, "name", ""))


@contextmanager
def _scratch_file(job: ExportJob) -> Iterator[Any]:
    """A temporary file next to the storage's files (so the storage can rename it), removed
    afterwards unless the storage has moved it."""
    location = getattr(job.file.storage, "location", None)
    folder = Path(location) / "exports" if location else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.NamedTemporaryFile(dir=folder, prefix=".scratch-", delete=False)  # noqa: SIM115
    try:
        with scratch:
            yield scratch
    finally:
        Path(scratch.name).unlink(missing_ok=True)


def _write(job: ExportJob, scratch: BinaryIO, every: int) -> int:
    table = export_table(job.kind, job.created_by, job.filters)
    total = table.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    if job.format == ExportFormat.XLSX and total > XLSX_MAX_ROWS:
        raise DomainError(
            _(
                "%(rows)s rows do not fit into one Excel sheet (at most %(limit)s). "
                "Please choose CSV or narrow the filters."
            )
            % {"rows": format_number(total, 0), "limit": format_number(XLSX_MAX_ROWS, 0)}
        )

    def progress(rows: int) -> None:
        # A single-column UPDATE per chunk, outside any transaction: the polling page sees it.
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows)

    return WRITERS[job.format](scratch, table, on_progress=progress, every=every)


def _store(job: ExportJob, scratch: BinaryIO, rows: int) -> ExportJob:
    scratch.flush()
    with transaction.atomic():
        # The row lock makes storing and finishing one step: two deliveries of the same job
        # cannot both store a file.
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_done:
            return locked
        _remove_files(locked)
        name = export_file_name(locked)
        locked.file.save(
            name, _ScratchFile(scratch) if hasattr(scratch, "name") else File(scratch), save=False
        )
        locked.finish(rows=rows, file_name=name)
        locked.save_changes()
    logger.info("Export job %s wrote %s rows to %s", job.pk, rows, locked.file.name)
    return locked


def _remove_files(job: ExportJob) -> None:
    """Whatever an interrupted run of this job left in its folder."""
    storage = job.file.storage
    folder = f"exports/{job.pk}"
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        files = []
    for name in files:
        storage.delete(f"{folder}/{name}")
    if job.file.name:
        storage.delete(job.file.name)


def _fail(job: ExportJob, message: str) -> ExportJob:
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_pending:  # a done job stays done; a failed one keeps its first reason
            locked.fail(reason=str(message))
            locked.save_changes()
    return locked
