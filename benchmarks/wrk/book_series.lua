-- POST /booking-series, every request a series of its own in free time, the rooms in turn.
-- WRK_ROOMS: a Lua file returning the room ids; WRK_FROM_EPOCH: the first series' start;
-- WRK_RULE: the recurrence; WRK_HOURS: how many hour offsets a room takes before the series
-- would meet one another (168 for weekly, 24 for daily); WRK_PHASE: 0 for the warm-up, 1 for
-- the measured run, which starts WRK_PHASE_SECONDS later, past the warm-up's last occurrence.
dofile("benchmarks/wrk/common.lua")

local rooms = dofile(os.getenv("WRK_ROOMS"))
local from = tonumber(os.getenv("WRK_FROM_EPOCH"))
local rule = os.getenv("WRK_RULE")
local hours = tonumber(os.getenv("WRK_HOURS"))
local phase = tonumber(os.getenv("WRK_PHASE") or "0")
local phase_seconds = tonumber(os.getenv("WRK_PHASE_SECONDS"))
local sent = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local function instant(epoch)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", epoch)
end

function request()
  sent = sent + 1
  local slot = sent * 16 + thread_index
  local room = rooms[(slot % #rooms) + 1]
  local offset = math.floor(slot / #rooms)
  if offset >= hours then
    error("more series than free hours: add rooms or shorten the run")
  end
  local starts = from + phase * phase_seconds + offset * 3600
  local body = string.format(
    '{"room_id": "%s", "starts_at": "%s", "ends_at": "%s", "title": "Benchmark", '
      .. '"recurrence": "%s"}',
    room, instant(starts), instant(starts + 3600), rule)
  return wrk.format(nil, nil, nil, body)
end
