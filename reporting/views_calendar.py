"""The per-person iCalendar feed behind a secret address (issue 11 §2).

No login: the token is the key. It shows exactly what its owner may see today (their
memberships are read now, not when the token was issued); a revoked or unknown token is 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from grants.awards.calendar import FEED_LIMIT, calendar_between, feed_window, scope_for
from grants.awards.models import FeedToken
from reporting.calendar_feed import render_calendar_feed


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = (
        FeedToken.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("unknown calendar feed")
    start, end = feed_window(timezone.localdate())
    calendar = calendar_between(scope_for(feed.user), start=start, end=end, limit=FEED_LIMIT)
    body = render_calendar_feed(
        calendar.entries, host=request.get_host().split(":")[0], base_url=request.build_absolute_uri("/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="fristen.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
