from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: errors, money, dates, tabular uploads. Imports nothing of ours."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core.logs import install_record_factory

        install_record_factory()
