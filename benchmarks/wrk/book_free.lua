-- POST /bookings, every request a different free one-hour slot, the rooms taken in turn.
-- WRK_ROOMS: a Lua file returning the room ids; WRK_FROM_EPOCH: the first slot's start;
-- WRK_PHASE: 0 for the warm-up, 1 for the measured run, so the two never ask for one slot;
-- WRK_PHASE_SLOTS: how many slots apart the two phases start (default 10,000,000);
-- WRK_KEYED: when set, each request sends an Idempotency-Key of its own.
dofile("benchmarks/wrk/common.lua")

local rooms = dofile(os.getenv("WRK_ROOMS"))
local from = tonumber(os.getenv("WRK_FROM_EPOCH"))
local phase = tonumber(os.getenv("WRK_PHASE") or "0")
local phase_slots = tonumber(os.getenv("WRK_PHASE_SLOTS") or "10000000")
local keyed = os.getenv("WRK_KEYED")
local sent = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local function instant(epoch)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", epoch)
end

function request()
  sent = sent + 1
  local slot = phase * phase_slots + sent * 16 + thread_index
  local room = rooms[(slot % #rooms) + 1]
  local starts = from + math.floor(slot / #rooms) * 3600
  local body = string.format(
    '{"room_id": "%s", "starts_at": "%s", "ends_at": "%s", "title": "Benchmark"}',
    room, instant(starts), instant(starts + 3600))
  local headers = nil
  if keyed then  -- wrk.format takes these instead of wrk.headers, not beside them
    headers = {["Idempotency-Key"] = string.format("bench-%d-%d", phase, slot)}
    for name, value in pairs(wrk.headers) do headers[name] = value end
  end
  return wrk.format(nil, nil, headers, body)
end
