"""Archiving a case file: the ZIP of everything kept for a grant (with a manifest of checksums),
and the documents' part of the retention run (connected in ``ReportingConfig.ready``)."""
