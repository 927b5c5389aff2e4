-- TransactWriteItems of BENCH_TXN_ITEMS (default 2) PutRequests with fresh random keys (preloaded keys
-- with BENCH_OVERWRITE=1), as one all-or-nothing transaction.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("TransactWriteItems")
setup, init, done = c.setup, c.init, c.done

local n = tonumber(os.getenv("BENCH_TXN_ITEMS") or "2")
local put = '{"Put":{"TableName":"' .. c.table .. '","Item":'
request = function()
  local parts, seen = {}, {}
  while #parts < n do
    local k = c.write_key()
    if not seen[k] then  -- one action per item
      seen[k] = true
      parts[#parts + 1] = put .. c.item_json(k, #parts) .. '}}'
    end
  end
  return wrk.format(nil, nil, nil, '{"TransactItems":[' .. table.concat(parts, ",") .. ']}')
end
