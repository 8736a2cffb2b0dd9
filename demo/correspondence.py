"""Demo correspondence: a few messages between carriers and offices on handed-in cases."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from budgets.choices import StaffRole
from budgets.models import CoordinatingOffice, OfficeMembership
from grants.applications.models import Application, ApplicationState
from grants.applications.services.correspondence import message_send

S = ApplicationState
THREADS = [
    (
        "Guten Tag, wir haben eine Rückfrage zum Finanzierungsplan: "
        "Bitte erläutern Sie die Honorarsätze der Referentinnen und Referenten.",
        "Gern: Die Honorarsätze folgen der Honorarordnung unseres Landesverbands; die Übersicht liegt bei.",
    ),
    (
        "Wir bestätigen den Eingang Ihres Antrags. Die formale Prüfung beginnt in der nächsten Woche.",
        "Vielen Dank für die Bestätigung.",
    ),
]
PDF = b"%PDF-1.4\n% Honorarordnung (Demo)\n%%EOF\n"


def _case_officer(application: Application):
    offices = [application.office, *reversed(CoordinatingOffice.objects.get_ancestors(application.office))]
    for office in offices:
        membership = (
            OfficeMembership.objects.filter(office=office, role=StaffRole.CASE_OFFICER)
            .exclude(user__organisations=application.organisation_id)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if membership is not None:
            return membership.user
    return None


def seed_correspondence() -> int:
    """Messages on the first handed-in applications and on one grant; returns how many.

    Idempotent: a case whose thread already holds the demo's question is left alone."""
    count = 0
    cases = list(
        Application.objects.filter(state__in=[S.SUBMITTED, S.FORMAL_CHECK, S.CONTENT_REVIEW]).order_by("pk")[
            :2
        ]
    ) + list(Application.objects.filter(state=S.APPROVED).order_by("pk")[:1])
    for application, (question, answer) in zip(cases, THREADS * 2, strict=False):
        officer = _case_officer(application)
        carrier = application.organisation.members.order_by("pk").first()
        if officer is None or carrier is None or application.messages.filter(body=question).exists():
            continue
        message_send(application=application, by=officer, body=question)
        message_send(
            application=application,
            by=carrier,
            body=answer,
            uploads=[SimpleUploadedFile("Honorarordnung.pdf", PDF, content_type="application/pdf")],
        )
        count += 2
    return count
