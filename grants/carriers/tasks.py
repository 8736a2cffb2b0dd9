"""Celery task of the bank details: tell every member of a carrier about a change of its account."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from grants.carriers.models import BankDetailsChange, BankDetailsChangeState


@shared_task(
    name="grants.tasks.send_bank_details_change_email",
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_bank_details_change_email(self, change_id: int, state: str) -> int:
    """Every member of the organisation and its own address learn of the request or the decision.

    All of them, not only the requester: a change one member (or someone with their password)
    asked for is seen by the others before the money goes anywhere else.
    """
    change = BankDetailsChange.objects.select_related("organisation", "requested_by", "decided_by").get(
        pk=change_id
    )
    organisation = change.organisation
    recipients = sorted(
        {organisation.email, *organisation.members.exclude(email="").values_list("email", flat=True)} - {""}
    )
    if not recipients:
        return 0
    with translation.override("de"):
        context = {
            "change": change,
            "organisation": organisation,
            "requested": state == BankDetailsChangeState.REQUESTED,
            "confirmed": state == BankDetailsChangeState.CONFIRMED,
            "rejected": state == BankDetailsChangeState.REJECTED,
            "state_label": dict(change._meta.get_field("state").flatchoices).get(state, state),
            "offices": ", ".join(office.name for office in change.responsible_offices),
            "url": settings.SITE_URL.rstrip("/") + reverse("organisation_list"),
        }
        subject = render_to_string("grants/email/bank_details_change_subject.txt", context).strip()
        body = render_to_string("grants/email/bank_details_change.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
