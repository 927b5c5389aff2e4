-- Query of the query table's GSI "by_g" for one random GSI partition key (10 items).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("Query")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","IndexName":"by_g","KeyConditionExpression":"g = :g",'
  .. '"ExpressionAttributeValues":{":g":{"S":"'
request = function()
  return wrk.format(nil, nil, nil, prefix .. c.gsi_key(math.random(0, c.collections() - 1)) .. '"}}}')
end
