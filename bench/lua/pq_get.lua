-- ExecuteStatement SELECT of one random preloaded item by its full key (PartiQL's GetItem), eventually
-- consistent, as get.lua's GetItem.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("ExecuteStatement")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"Statement":"SELECT * FROM \\"' .. c.table .. '\\" WHERE pk = ?","Parameters":[{"S":"'
request = function()
  return wrk.format(nil, nil, nil, prefix .. c.key(math.random(0, c.keys - 1)) .. '"}]}')
end
