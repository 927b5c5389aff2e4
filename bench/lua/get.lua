-- GetItem of one random preloaded key per request (eventually consistent read, as DynamoDB's default).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("GetItem")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","Key":{"pk":{"S":"'
request = function()
  return wrk.format(nil, nil, nil, prefix .. c.key(math.random(0, c.keys - 1)) .. '"}}}')
end
