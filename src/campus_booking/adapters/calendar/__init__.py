"""Calendar feeds written as RFC 5545 text by the icalendar package."""

from campus_booking.adapters.calendar.ics import render_feed

__all__ = ["render_feed"]
