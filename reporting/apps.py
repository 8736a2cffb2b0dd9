from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from django_fsm.signals import post_transition

        from grants.applications.models import Application
        from reporting.archive import retention  # noqa: F401 (connects the documents' part of the retention run)
        from reporting.bankstatements.inbox import register_inbox_kinds
        from reporting.receivers import application_transitioned

        post_transition.connect(
            application_transitioned, sender=Application, dispatch_uid="reporting.application_transitioned"
        )
        # Finance's open bank-statement lines appear in the task inbox (grants.inbox).
        register_inbox_kinds()
