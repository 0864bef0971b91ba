"""Repositories: rows in, domain objects out, mapped by hand so the domain owns its shape.

The statements of the hot paths (every request's user lookup, booking a slot) are built once,
at import time, with bind parameters: building a statement and its cache key cost more CPU
than running it from SQLAlchemy's compiled-statement cache.
"""

from campus_booking.adapters.database.repositories.audit import SqlAuditRepository
from campus_booking.adapters.database.repositories.bookings import SqlBookingRepository
from campus_booking.adapters.database.repositories.calendar_feeds import (
    SqlCalendarFeedRepository,
)
from campus_booking.adapters.database.repositories.closures import SqlClosureRepository
from campus_booking.adapters.database.repositories.idempotency_keys import (
    SqlIdempotencyKeyRepository,
)
from campus_booking.adapters.database.repositories.opening_hours import (
    SqlOpeningHoursRepository,
)
from campus_booking.adapters.database.repositories.policies import SqlBookingPolicyRepository
from campus_booking.adapters.database.repositories.rooms import SqlRoomRepository
from campus_booking.adapters.database.repositories.series import SqlBookingSeriesRepository
from campus_booking.adapters.database.repositories.users import (
    SqlAccountLookup,
    SqlUserRepository,
)

__all__ = [
    "SqlAccountLookup",
    "SqlAuditRepository",
    "SqlBookingPolicyRepository",
    "SqlBookingRepository",
    "SqlBookingSeriesRepository",
    "SqlCalendarFeedRepository",
    "SqlClosureRepository",
    "SqlIdempotencyKeyRepository",
    "SqlOpeningHoursRepository",
    "SqlRoomRepository",
    "SqlUserRepository",
]
