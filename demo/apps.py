from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world (``manage.py seed_demo``): may import every other app, nothing imports it."""

    name = "demo"
    verbose_name = "Demo"
