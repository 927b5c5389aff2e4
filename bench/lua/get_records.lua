-- GetRecords of 100 records from a random position of a stream: each request takes one of the
-- shard iterators that compare.py's `iterators` wrote to BENCH_ITERATORS (iterators can be reused).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("GetRecords")
wrk.headers["X-Amz-Target"] = "DynamoDBStreams_20120810.GetRecords"
setup, init, done = c.setup, c.init, c.done

local bodies = {}
for line in io.lines(os.getenv("BENCH_ITERATORS")) do
  bodies[#bodies + 1] = '{"ShardIterator":"' .. line .. '","Limit":100}'
end
request = function()
  return wrk.format(nil, nil, nil, bodies[math.random(1, #bodies)])
end
