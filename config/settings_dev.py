"""The development settings, whatever the shell says: pytest and mypy's Django plugin load these.

``config.settings`` fails closed (production without ``DJANGO_ENV``); the tests and the type
checker need the development defaults on a fresh clone without any variable set. Processes a
test starts (a worker, ``manage.py``) inherit ``DJANGO_ENV`` from here.
"""

import os

os.environ["DJANGO_ENV"] = "development"

from config.settings import *  # noqa: F403
