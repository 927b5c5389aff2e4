-- ExecuteStatement INSERT of one ~100-byte item with a new key (PartiQL's PutItem, which must not find the
-- item), as put.lua's PutItem. Keys come from a counter per wrk thread and run (random ones would collide
-- and be DuplicateItemException).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("ExecuteStatement")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"Statement":"INSERT INTO \\"' .. c.table .. '\\" VALUE {\'pk\': ?, \'v\': ?, \'n\': ?}","Parameters":[{"S":"'
local run, count = nil, 0
request = function()
  -- the run's mark: its start time and a random number (init() has seeded the generator per thread)
  run = run or string.format("%d%06d", os.time(), math.random(0, 999999))
  count = count + 1
  local key = string.format("i%s-%s-%d", run, tostring(thread_id), count)
  return wrk.format(nil, nil, nil, prefix .. key .. '"},{"S":"' .. c.payload .. '"},{"N":"' ..
    math.random(0, 99999) .. '"}]}')
end
