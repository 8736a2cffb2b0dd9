"""Signals of records management (grants may not import reporting, so reporting listens).

``case_file_erasing`` is sent inside the retention run's transaction when a case is anonymised,
with ``application``, ``grant`` (or None), ``rule``, ``due_on``, ``run_on``, ``by`` and
``dry_run``. A receiver deletes what it keeps of the case (reporting: the stored documents)
and returns the ``RetentionLog`` rows it wrote; with ``dry_run`` it deletes nothing and returns
one sentence per record it would delete.
"""

from django.dispatch import Signal

case_file_erasing = Signal()
