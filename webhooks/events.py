"""The events an endpoint can subscribe to: one name per change an integrator may wait for."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    APPLICATION_STATE_CHANGED = "application.state_changed", _("Application state changed")
    NOTICE_ISSUED = "notice.issued", _("Notice issued")
    PAYMENT_EXECUTED = "payment.executed", _("Payment executed")
    PROOF_DUE = "proof.due", _("Proof of use due")
