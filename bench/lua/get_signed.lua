-- GetItem of a random preloaded key, SigV4-signed (for --auth=sigv4; see sigv4.lua). Signing in Lua costs
-- the client far more than verifying costs the server, so each wrk thread signs a pool of 2048 requests
-- (random keys) up front and cycles through them; they stay valid for the 5 minutes a signature lives,
-- and the server verifies every one in full (nothing is cached but the signing key, as for any client).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
local sig = require("sigv4")
c.headers("GetItem")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. '","Key":{"pk":{"S":"'
local pool, i = nil, 0
request = function()
  if not pool then
    pool = {}
    for j = 1, 2048 do
      pool[j] = sig.request("GetItem", prefix .. c.key(math.random(0, c.keys - 1)) .. '"}}}')
    end
  end
  i = i % #pool + 1
  return pool[i]
end
