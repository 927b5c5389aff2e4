-- Query of by_m (compare.py create_gsim: partition g1, g2; sort s1, s2, s3) for one random GSI
-- partition, equality on s1 and a range on s2: the same 10 items as gsi1_query.lua, through a
-- two-attribute partition key and a three-attribute sort key.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("Query")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","IndexName":"by_m",'
  .. '"KeyConditionExpression":"g1 = :a AND g2 = :b AND s1 = :c AND s2 >= :z",'
  .. '"ExpressionAttributeValues":{":b":{"S":"t"},":c":{"S":"x"},":z":{"N":"0"},":a":{"S":"'
request = function()
  return wrk.format(nil, nil, nil, prefix .. c.gsi_key(math.random(0, c.collections() - 1)) .. '"}}}')
end
