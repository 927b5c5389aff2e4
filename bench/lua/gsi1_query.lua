-- Query of by_one (compare.py create_gsi1: partition g, sort s) for one random GSI partition, with a
-- condition on the sort key: 10 items. The single-attribute figure beside gsim_query.lua.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("Query")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","IndexName":"by_one","KeyConditionExpression":"g = :g AND s >= :z",'
  .. '"ExpressionAttributeValues":{":z":{"N":"0"},":g":{"S":"'
request = function()
  return wrk.format(nil, nil, nil, prefix .. c.gsi_key(math.random(0, c.collections() - 1)) .. '-t"}}}')
end
