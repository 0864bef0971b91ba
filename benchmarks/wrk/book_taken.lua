-- POST /bookings, every request for the same slot, which is already taken: the 409 path.
dofile("benchmarks/wrk/common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format(
  '{"room_id": "%s", "starts_at": "%s", "ends_at": "%s", "title": "Benchmark"}',
  os.getenv("WRK_ROOM"), os.getenv("WRK_START"), os.getenv("WRK_END"))
