"""Floors: bare Litestar apps that run the service's own statements through the raw driver.

One per database (`sqlite`, `postgres`), serving `GET /auth/me`, `GET /rooms`, `GET /bookings`
and `POST /bookings` with the service's JSON. Served like the service, on its seeded database,
each shows what those statements cost on their own: the service's throughput as a share of its
floor is what the service adds to them (framework features, SQLAlchemy, the use-cases).
"""
