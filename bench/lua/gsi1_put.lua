-- PutItem of a new item into the by_one table (compare.py create_gsi1): one index entry per write,
-- keyed by one attribute each. The single-attribute figure beside gsim_put.lua.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("PutItem")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","Item":'
request = function()
  local j = math.random(0, c.collections() - 1)
  return wrk.format(nil, nil, nil, prefix .. string.format(
    '{"pk":{"S":"%s"},"g":{"S":"%s-t"},"s":{"N":"%d"},"v":{"S":"%s"}}}',
    c.write_key(), c.gsi_key(j), math.random(10, 99999), c.payload))
end
