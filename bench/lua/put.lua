-- PutItem of one ~100-byte item with a random new key per request.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("PutItem")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","Item":'
request = function()
  return wrk.format(nil, nil, nil, prefix .. c.item_json(c.write_key(), math.random(0, 99999)) .. "}")
end
