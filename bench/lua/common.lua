-- Shared pieces of the wrk scripts in this folder (loaded with require "common").
-- Environment (set by bench/run.sh):
--   BENCH_TABLE  table name            (default bench)
--   BENCH_KEYS   preloaded key count   (default 10000): keys "k00000000" .. used by the read scripts
--   BENCH_OVERWRITE=1  the write scripts overwrite preloaded keys instead of inserting new ones
--                      (run.sh's server warm-up: it warms the write paths without growing the table)
local M = {}

M.table = os.getenv("BENCH_TABLE") or "bench"
M.keys = tonumber(os.getenv("BENCH_KEYS") or "10000")
M.overwrite = os.getenv("BENCH_OVERWRITE") == "1"

-- 80 characters of payload: with the key ("pk" + 10 chars) and "n" the item is ~100 bytes.
M.payload = string.rep("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 2):sub(1, 80)

function M.headers(op)
  wrk.method = "POST"
  wrk.path = "/"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
  wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. op
  wrk.headers["Authorization"] =
    "AWS4-HMAC-SHA256 Credential=fake/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"
end

-- Key of a preloaded item (the same format as compare.py's preload).
function M.key(i)
  return string.format("k%08d", i)
end

-- A fresh random key for writes ("w" + 9 digits), unlikely to repeat; a preloaded one with BENCH_OVERWRITE=1.
function M.write_key()
  if M.overwrite then
    return M.key(math.random(0, M.keys - 1))
  end
  return string.format("w%09d", math.random(0, 999999999))
end

-- The query table (compare.py preload_query): item i is in collection i // 10 (partition key
-- collection_key), has sort key i % 10 and GSI key gsi_key(i % collections), so every item
-- collection and every GSI partition holds 10 items.
function M.collections()
  return math.floor(M.keys / 10)
end
function M.collection_key(j)
  return string.format("q%08d", j)
end
function M.gsi_key(j)
  return string.format("g%08d", j)
end

function M.item_json(key, n)
  return string.format('{"pk":{"S":"%s"},"v":{"S":"%s"},"n":{"N":"%d"}}', key, M.payload, n)
end

-- n distinct random integers in [0, max).
function M.distinct(n, max)
  local seen, out = {}, {}
  while #out < n do
    local r = math.random(0, max - 1)
    if not seen[r] then
      seen[r] = true
      out[#out + 1] = r
    end
  end
  return out
end

-- A request function that cycles through `n` requests built up front by `build()` (each wrk
-- thread builds its own on first use). For requests of many random keys: building one in Lua
-- costs the client ~10 us (as much as the server spends on a GetItem), on the cores the server
-- shares, so a client that built each request afresh would measure mostly itself.
function M.pool(n, build)
  local bodies, i = nil, 0
  return function()
    if not bodies then
      bodies = {}
      for j = 1, n do bodies[j] = wrk.format(nil, nil, nil, build()) end
    end
    i = i % n + 1
    return bodies[i]
  end
end

-- A request function that cycles through the bodies in `path` (records "<length>\n<bytes>", as
-- compare.py bodies writes them): bodies wrk's LuaJIT cannot make, such as gzipped ones.
function M.file_pool(path)
  local bodies, i = nil, 0
  return function()
    if not bodies then
      bodies = {}
      local f = assert(io.open(path, "rb"))
      for len in f:lines() do
        bodies[#bodies + 1] = wrk.format(nil, nil, nil, f:read(tonumber(len)))
      end
      f:close()
    end
    i = i % #bodies + 1
    return bodies[i]
  end
end

-- Each wrk thread has its own Lua state: give each one its own id and random seed.
local counter = 0
function M.setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function M.init()
  local id = tonumber(thread_id) or 0
  math.randomseed(os.time() * 1000 + id * 7919 + math.floor((os.clock() * 1e6) % 1000))
  -- throw away the first few values (LuaJIT's generator starts correlated for close seeds)
  for _ = 1, 10 do math.random() end
end

-- Printed once at the end by wrk's main thread; run.sh picks up the line starting with BENCHJSON.
function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"mean_us":%.1f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50.0), latency:percentile(90.0), latency:percentile(99.0), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end

return M
