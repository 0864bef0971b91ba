"""A room under every campus rule at once, for the POST /bookings workload that pays for them.

Its opening hours are every day 00:00-24:00 in Europe/Berlin (so the windows are read and
merged across midnight, and every slot of the workload is open), and its policy sets every
limit: a 30-minute grid, lengths, notice, horizon, and the three quotas (minutes per local day
and ISO week, upcoming active bookings), each counted in the booking transaction. The limits
are wide enough for the workload's slots (one room, hours 16 apart per wrk thread) to pass.
"""

from __future__ import annotations

import httpx

POLICY = {
    "name": "Benchmark: every rule",
    "min_duration_minutes": 30,
    "max_duration_minutes": 180,
    "slot_minutes": 30,
    "min_notice_minutes": 5,
    "max_advance_days": 36_500,
    "max_minutes_per_day": 1_440,
    "max_minutes_per_week": 10_080,
    "max_active_bookings": 100_000,
}
EVERY_DAY = {
    "weekly": [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(1, 8)],
    "exceptions": [],
}


def put_room_under_every_rule(url: str, room_id: str, admin_headers: dict[str, str]) -> None:
    with httpx.Client(base_url=url, headers=admin_headers, timeout=30) as client:
        policy = client.post("/booking-policies", json=POLICY)
        policy.raise_for_status()
        client.patch(
            f"/rooms/{room_id}",
            json={"policy_id": policy.json()["id"], "time_zone": "Europe/Berlin"},
        ).raise_for_status()
        client.put(f"/rooms/{room_id}/opening-hours", json=EVERY_DAY).raise_for_status()
