-- BatchGetItem of 100 distinct random preloaded keys per request.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("BatchGetItem")
setup, init, done = c.setup, c.init, c.done

local BATCH = 100
request = c.pool(1024, function()
  local parts = {}
  for i, k in ipairs(c.distinct(BATCH, c.keys)) do
    parts[i] = '{"pk":{"S":"' .. c.key(k) .. '"}}'
  end
  return '{"RequestItems":{"' .. c.table .. '":{"Keys":[' .. table.concat(parts, ",") .. "]}}}"
end)
