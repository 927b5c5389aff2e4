-- TransactGetItems of 10 distinct random preloaded keys, read from one snapshot.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("TransactGetItems")
setup, init, done = c.setup, c.init, c.done

local get = '{"Get":{"TableName":"' .. c.table .. '","Key":{"pk":{"S":"'
request = c.pool(4096, function()
  local parts = {}
  for _, i in ipairs(c.distinct(10, c.keys)) do parts[#parts + 1] = get .. c.key(i) .. '"}}}}' end
  return '{"TransactItems":[' .. table.concat(parts, ",") .. ']}'
end)
