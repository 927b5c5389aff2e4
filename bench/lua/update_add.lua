-- UpdateItem that increments a counter with ADD on a random preloaded item.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("UpdateItem")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","Key":{"pk":{"S":"'
local suffix = '"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}'
request = function()
  return wrk.format(nil, nil, nil, prefix .. c.key(math.random(0, c.keys - 1)) .. suffix)
end
