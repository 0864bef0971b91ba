"""A feed as an iCalendar document: icalendar does the escaping, the line folding and the
VTIMEZONE of every zone used, which RFC 5545 asks for and nobody should write by hand.

Times are written in the room's zone (`DTSTART;TZID=Europe/Berlin:…`), so a series' rule
repeats at its local times across DST, as it does here. DTSTAMP is the event's last change:
for a published calendar RFC 5545 makes it the time the information was last revised, and it
keeps an unchanged feed byte for byte the same (its ETag too).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from campus_booking.application.calendar_feeds import Feed, FeedEvent
from campus_booking.domain.bookings import BookingStatus

PRODUCT = "-//Campus Booking//Calendar feed//EN"
STATUS = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.APPROVED: "CONFIRMED",
    BookingStatus.REJECTED: "CANCELLED",
    BookingStatus.CANCELLED: "CANCELLED",
}


def render_feed(feed: Feed) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", feed.name)
    calendar.add("name", feed.name)  # RFC 7986's NAME; X-WR-CALNAME for the older apps
    for event in feed.events:
        calendar.add_component(_event(event))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _event(event: FeedEvent) -> Event:
    zone = ZoneInfo(event.time_zone)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", event.last_modified)
    vevent.add("last-modified", event.last_modified)
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", event.recurrence_id.astimezone(zone))
    vevent.add("dtstart", event.slot.start.astimezone(zone))
    vevent.add("dtend", event.slot.end.astimezone(zone))
    if event.recurrence is not None:
        vevent.add("rrule", vRecur.from_ical(event.recurrence))
    for instant in event.excluded:
        vevent.add("exdate", instant.astimezone(zone))
    vevent.add("summary", event.title)
    vevent.add("location", event.location)
    vevent.add("status", STATUS[event.status])
    vevent.add("sequence", event.sequence)
    return vevent
