from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: errors, money, dates, tabular uploads. Imports nothing of ours."""

    name = "core"
    verbose_name = "Core"
