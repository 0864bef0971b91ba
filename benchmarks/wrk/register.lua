-- POST /auth/register with a fresh email each time, as if from a fresh address each time
-- (X-Forwarded-For, believed because the bench server trusts 127.0.0.1 as its proxy): the
-- worst flood, each request worth a bcrypt hash, with no per-address limit to stop it.
dofile("benchmarks/wrk/common.lua")

local counter = 0

request = function()
  counter = counter + 1
  local tag = string.format("%d.%d.%d", thread_index or 0, counter, math.random(1, 1e9))
  local body = '{"email": "flood.' .. tag .. '@bench.example", "password": "flood password", ' ..
               '"full_name": "Flood"}'
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255),
                                        math.random(0, 255), math.random(1, 254)),
  }
  return wrk.format("POST", "/auth/register", headers, body)
end
