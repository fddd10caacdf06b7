"""The personal iCalendar feed (RFC 5545), built with the icalendar library."""

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from notifications.selectors import CalendarEvent


def calendar_feed(events: list[CalendarEvent], *, name: str) -> bytes:
    """All-day events, each with a stable UID so calendars update rather than duplicate."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.HUB_NAME}//Contract reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT12H")
    stamp = timezone.now()
    host = settings.HUB_BASE_URL.split("://", 1)[-1].split("/", 1)[0] or "hub"
    for item in events:
        event = Event()
        event.add("uid", f"{item.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + datetime.timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", f"{item.description}\n{item.url}")
        event.add("url", item.url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
