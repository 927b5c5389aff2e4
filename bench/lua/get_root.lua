-- GET / : Basalt's health answer ("healthy: basalt ..."), the floor of its HTTP layer, or nginx's
-- fixed response (bench/run.sh's one-core mode). No body, no DynamoDB work.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
wrk.method = "GET"
wrk.path = "/"
setup, init, done = c.setup, c.init, c.done
