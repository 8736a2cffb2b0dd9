from django.urls import path

from grants.awards.views import calendar

urlpatterns = [
    path("", calendar.deadline_calendar, name="deadline_calendar"),
    path("adresse/", calendar.calendar_feed_token, name="calendar_feed_token"),
]
