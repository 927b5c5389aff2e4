-- One Scan page of 25 items that starts after a random preloaded item (ExclusiveStartKey), as a
-- client resuming a paginated scan does.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("Scan")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","Limit":25,"ExclusiveStartKey":{"pk":{"S":"'
request = function()
  local i = math.random(0, c.keys - 1)
  return wrk.format(nil, nil, nil,
    prefix .. c.collection_key(math.floor(i / 10)) .. '"},"sk":{"N":"' .. (i % 10) .. '"}}}')
end
