-- PutItem of ~100 KB items, plain: the figure beside put_100k_gzip.lua. The bodies come from
-- compare.py bodies (BENCH_BODIES_DIR/put100k.plain: 64 items z00000000.., overwritten in turn).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("PutItem")
setup, init, done = c.setup, c.init, c.done

request = c.file_pool((os.getenv("BENCH_BODIES_DIR") or ".") .. "/put100k.plain")
