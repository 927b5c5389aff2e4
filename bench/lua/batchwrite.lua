-- BatchWriteItem of 25 PutRequests (~100-byte items, distinct random new keys) per request.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("BatchWriteItem")
setup, init, done = c.setup, c.init, c.done

local BATCH = 25
request = function()
  local parts = {}
  local seen = {}
  while #parts < BATCH do
    local k = c.write_key()
    if not seen[k] then
      seen[k] = true
      parts[#parts + 1] = '{"PutRequest":{"Item":' .. c.item_json(k, math.random(0, 99999)) .. "}}"
    end
  end
  return wrk.format(nil, nil, nil, '{"RequestItems":{"' .. c.table .. '":[' .. table.concat(parts, ",") .. "]}}")
end
