-- Query of one random item collection (10 items) of the query table, by partition key.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("Query")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","KeyConditionExpression":"pk = :p",'
  .. '"ExpressionAttributeValues":{":p":{"S":"'
request = function()
  return wrk.format(nil, nil, nil, prefix .. c.collection_key(math.random(0, c.collections() - 1)) .. '"}}}')
end
