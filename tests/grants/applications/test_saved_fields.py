"""A step saves the fields its transition changed (no hand-kept list) and moves ``updated_at``."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.applications.models import Application, ApplicationState
from grants.applications.services.application import application_propose_approval

S = ApplicationState


def _updated_columns(queries) -> list[list[str]]:
    return [
        sorted(re.findall(r'"(\w+)" = ', q["sql"].split(" WHERE ")[0]))
        for q in queries
        if q["sql"].startswith('UPDATE "grants_application"')
    ]


def test_proposing_saves_exactly_what_the_transition_changed(workflow):
    workflow.fund()
    application = workflow.bring_to(S.CONTENT_REVIEW)
    Application.objects.filter(pk=application.pk).update(
        updated_at=application.updated_at - timedelta(days=3)
    )
    before = Application.objects.get(pk=application.pk).updated_at

    with CaptureQueriesContext(connection) as queries:
        proposed = application_propose_approval(
            application=application, by=workflow.officer, instalments={2026: Decimal("9000")}
        )

    assert _updated_columns(queries) == [
        [
            "content_reviewed_by_id",
            "proposed_amount",
            "proposed_at",
            "proposed_by_id",
            "state",
            "updated_at",
        ]
    ]
    proposed.refresh_from_db()
    assert proposed.updated_at > before
    assert (proposed.proposed_by, proposed.content_reviewed_by) == (workflow.officer, workflow.officer)
