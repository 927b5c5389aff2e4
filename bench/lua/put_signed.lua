-- PutItem of a random new key, SigV4-signed from a pool built up front (see get_signed.lua).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
local sig = require("sigv4")
c.headers("PutItem")
setup, init, done = c.setup, c.init, c.done

local pool, i = nil, 0
request = function()
  if not pool then
    pool = {}
    for j = 1, 2048 do
      pool[j] = sig.request("PutItem", '{"TableName":"' .. c.table .. '","Item":' .. c.item_json(c.write_key(), j) .. '}')
    end
  end
  i = i % #pool + 1
  return pool[i]
end
