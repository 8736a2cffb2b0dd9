"""``python manage.py seed_demo``: load the German demo world and print the demo logins.

Every demo user logs in with the password ``demo2026`` (see ``_demo_world.DEMO_PASSWORD``).
Idempotent: running it again updates master data in place, resets the demo passwords and
leaves existing applications (and the grants that came from them) alone. After the award,
``_demo_postaward`` adds grants in every stage of their life (finality, drawdowns, proofs,
settlement, reclaims with interest, amendments). Applications move through the workflow only via
``grants.services``; the e-mails they trigger go to Django's in-memory mail backend, with
Celery tasks run in-process.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from celery import current_app
from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from budgets.models import Fund
from demo.accounts import seed_paying_accounts
from demo.chain import seed_chain
from demo.correspondence import seed_correspondence
from demo.postaward import seed_post_award
from demo.seed import login_rows, seed_world
from grants.applications.models import Application, ApplicationState
from grants.awards.models import Grant, GrantState
from grants.carriers.models import Organisation
from grants.chain.models import CommitteeSession


class Command(BaseCommand):
    help = "Load demo programmes, offices, carriers, users and applications in every workflow state."

    def handle(self, *args: Any, **options: Any) -> None:
        # Tasks run in-process (whatever broker is configured) and without a log line each.
        eager = current_app.conf.task_always_eager
        current_app.conf.task_always_eager = True
        trace_log = logging.getLogger("celery.app.trace")
        trace_level = trace_log.level
        trace_log.setLevel(logging.WARNING)
        try:
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                translation.override(settings.LANGUAGE_CODE),
            ):
                if not hasattr(mail, "outbox"):
                    mail.outbox = []
                before = len(mail.outbox)
                with transaction.atomic():
                    world = seed_world()
                    stories = seed_post_award(world, today=timezone.localdate())
                    pfd_years = seed_chain(world)
                    seed_correspondence()
                    # After the demo's payment runs, which were made with the settings account.
                    seed_paying_accounts()
                # on_commit ran the notification tasks once the transaction committed.
                mails = len(mail.outbox) - before
                self._report(world.created_applications, stories, pfd_years, mails)
        finally:
            current_app.conf.task_always_eager = eager
            trace_log.setLevel(trace_level)

    def _report(self, created: int, stories: int, pfd_years: int, mails: int) -> None:
        out = self.stdout
        out.write(
            _(
                "Demo data loaded: %(apps)d applications (%(new)d new), %(orgs)d carriers; %(mails)d e-mails kept in memory."
            )
            % {
                "apps": Application.objects.count(),
                "new": created,
                "orgs": Organisation.objects.count(),
                "mails": mails,
            }
        )
        counts = Counter(Application.objects.values_list("state", flat=True))
        out.write(
            "  " + ", ".join(f"{label}: {counts.get(value, 0)}" for value, label in ApplicationState.choices)
        )
        out.write(
            _("%(grants)d grants (%(new)d post-award stories new):")
            % {"grants": Grant.objects.count(), "new": stories}
        )
        grant_counts = Counter(Grant.objects.values_list("state", flat=True))
        out.write(
            "  "
            + ", ".join(
                f"{label}: {grant_counts[value]}"
                for value, label in GrantState.choices
                if grant_counts[value]
            )
        )
        out.write(
            _(
                "Passing money on: %(offices)d partnership offices with %(funds)d funds (%(new)d PfD years new), %(micro)d micro-project applications, %(sessions)d committee sessions."
            )
            % {
                "offices": Organisation.objects.filter(runs_office__isnull=False).count(),
                "funds": Fund.objects.count(),
                "new": pfd_years,
                "micro": Application.objects.filter(fund__isnull=False).count(),
                "sessions": CommitteeSession.objects.count(),
            }
        )
        out.write("")
        self._table(login_rows())

    def _table(self, rows: list[dict[str, Any]]) -> None:
        headers = {"role": _("Role"), "username": _("Username"), "password": _("Password"), "can": _("Can")}
        widths = {k: max(len(str(h)), *(len(str(r[k])) for r in rows)) for k, h in headers.items()}
        line = "  ".join("-" * widths[k] for k in headers)
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins (one password for everyone):")))
        self.stdout.write("  ".join(str(h).ljust(widths[k]) for k, h in headers.items()))
        self.stdout.write(line)
        for row in rows:
            self.stdout.write("  ".join(str(row[k]).ljust(widths[k]) for k in headers))
