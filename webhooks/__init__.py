"""Signed webhooks: an outbox written in the change's transaction, delivered by Celery.

``webhooks.outbox.emit`` is what the apps above (grants, reporting) call inside their
services; this package imports nothing of theirs (docs/webhooks.md).
"""
