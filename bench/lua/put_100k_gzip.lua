-- PutItem of the same ~100 KB items as put_100k.lua, sent with Content-Encoding: gzip
-- (BENCH_BODIES_DIR/put100k.gzip, from compare.py bodies): what decompressing costs the server.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("PutItem")
wrk.headers["Content-Encoding"] = "gzip"
setup, init, done = c.setup, c.init, c.done

request = c.file_pool((os.getenv("BENCH_BODIES_DIR") or ".") .. "/put100k.gzip")
