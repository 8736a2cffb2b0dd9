from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from django_fsm.signals import post_transition

        from grants.applications.models import Application
        from reporting.archive import retention  # noqa: F401 (connects the documents' part of the retention run)
        from reporting.receivers import application_transitioned

        post_transition.connect(
            application_transitioned, sender=Application, dispatch_uid="reporting.application_transitioned"
        )
