"""In-memory adapters: the fakes that drive use-case tests without a database."""

from campus_booking.adapters.memory.audit import MemoryAuditRepository
from campus_booking.adapters.memory.bookings import MemoryBookingRepository
from campus_booking.adapters.memory.closures import MemoryClosureRepository
from campus_booking.adapters.memory.opening_hours import MemoryOpeningHoursRepository
from campus_booking.adapters.memory.policies import MemoryBookingPolicyRepository
from campus_booking.adapters.memory.rooms import MemoryRoomRepository
from campus_booking.adapters.memory.store import MemoryStore
from campus_booking.adapters.memory.unit_of_work import MemoryUnitOfWork
from campus_booking.adapters.memory.users import MemoryAccountLookup, MemoryUserRepository

__all__ = [
    "MemoryAccountLookup",
    "MemoryAuditRepository",
    "MemoryBookingPolicyRepository",
    "MemoryBookingRepository",
    "MemoryClosureRepository",
    "MemoryOpeningHoursRepository",
    "MemoryRoomRepository",
    "MemoryStore",
    "MemoryUnitOfWork",
    "MemoryUserRepository",
]
