"""Recurrence rules expanded into dates by python-dateutil."""

from campus_booking.adapters.recurrence.dateutil_expander import expand_recurrence

__all__ = ["expand_recurrence"]
