"""Finance exports: django-import-export resources, streaming writers and the export job.

``selectors`` decides the rows (access first, then filters), ``resources`` the columns,
``writers`` the formats, ``services`` the job, ``tasks`` the Celery task.
"""
