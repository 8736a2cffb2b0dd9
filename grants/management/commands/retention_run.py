"""``manage.py retention_run [--dry-run] [--date YYYY-MM-DD]``: the daily retention run by hand.

With ``--dry-run`` it prints what is due and what the run would do with it, and changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formatting import format_date
from grants.records.selectors import retention_plan
from grants.records.services import retention_effects, retention_run


class Command(BaseCommand):
    help = "Anonymise or delete case files whose retention period has ended; --dry-run only prints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print what would happen; change nothing.")
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD) instead of today.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        with translation.override("de"):
            if options["dry_run"]:
                self._dry_run(today)
                return
            entries = retention_run(today=today)
            for entry in entries:
                self.stdout.write(
                    f"{entry.get_action_display()}: {entry.get_record_type_display()} "
                    f"{entry.reference} ({entry.get_rule_display()}) – {entry.detail}"
                )
            self.stdout.write(
                _("%(count)s log entries on %(date)s.") % {"count": len(entries), "date": format_date(today)}
            )

    def _dry_run(self, today: date) -> None:
        steps = retention_plan(today=today)
        self.stdout.write(
            _("Dry run on %(date)s: %(count)s files due, nothing is changed.")
            % {"date": format_date(today), "count": len(steps)}
        )
        for step in steps:
            self.stdout.write(
                _("%(reference)s · %(rule)s · due since %(due)s (ended on %(ended)s)")
                % {
                    "reference": step.reference,
                    "rule": step.rule.label,
                    "due": format_date(step.due_on),
                    "ended": format_date(step.ended_on),
                }
            )
            for line in retention_effects(step):
                self.stdout.write(f"  – {line}")
