"""The deadline calendar as iCalendar (RFC 5545): one all-day VEVENT per deadline.

The ``icalendar`` library writes the text: escaping of commas, semicolons and line breaks,
lines folded at 75 octets, CRLF line ends. UIDs are ``<kind>-<pk>@<host>`` so a calendar
program updates an event instead of adding a second one when a date moves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from core.dates import format_german_date
from grants.awards.calendar import CalendarEntry


def render_calendar_feed(
    entries: Iterable[CalendarEntry], *, host: str, base_url: str, now: datetime | None = None
) -> bytes:
    """The feed's bytes; ``base_url`` (scheme and host) makes the case links absolute."""
    stamp = now or timezone.now()
    with translation.override("de"):
        cal = Calendar()
        cal.add("prodid", "-//Förderverwaltung//Fristenkalender//DE")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", _("Deadlines"))
        for entry in entries:
            event = Event()
            event.add("uid", f"{entry.uid}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", entry.day)  # a date: an all-day event
            event.add("dtend", entry.day + timedelta(days=1))
            event.add("summary", f"{entry.kind_label}: {entry.reference}")
            event.add(
                "description",
                "\n".join(
                    (
                        entry.what,
                        f"{entry.reference} – {entry.title}",
                        _("Project carrier") + f": {entry.organisation_name}",
                        _("Office") + f": {entry.office_name}",
                        _("Date") + f": {format_german_date(entry.day)}",
                    )
                ),
            )
            event.add("url", base_url.rstrip("/") + entry.url)
            event.add("categories", [entry.kind_label])
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
        return cal.to_ical()
