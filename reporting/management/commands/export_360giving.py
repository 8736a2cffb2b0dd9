"""``python manage.py export_360giving --out FILE``: the 360Giving package of all awarded grants."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reporting.opendata.threesixtygiving import grants_for_open_data, publisher_name, write_package


class Command(BaseCommand):
    help = "Write the awarded grants as a 360Giving data package (JSON); confidential carriers are left out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="File to write ('-' for standard output).")
        parser.add_argument("--publisher", default="", help="Publisher name (default: the root office).")

    def handle(self, *args: Any, out: str, publisher: str, **options: Any) -> None:
        grants = grants_for_open_data()
        count = grants.count()
        if not count:
            # The standard requires at least one grant in a package.
            raise CommandError("There are no awarded grants to publish; nothing was written.")
        publisher = publisher or publisher_name()
        issued = timezone.localdate()
        if out == "-":
            write_package(self.stdout, grants, publisher=publisher, issued=issued)
            return
        target = Path(out)
        # Written next to the target and renamed: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                write_package(stream, grants, publisher=publisher, issued=issued)
            os.chmod(temporary, 0o644)  # open data; mkstemp creates it private
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(f"{count} grants written to {target}")
