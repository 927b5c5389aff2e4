-- AWS Signature Version 4 for the signing wrk scripts (get_signed.lua, put_signed.lua): signs a DynamoDB
-- POST / with the headers content-type, host, x-amz-date and x-amz-target, as botocore does.
-- Environment: BENCH_UNSIGNED, BENCH_ACCESS_KEY_ID, BENCH_SECRET_ACCESS_KEY, BENCH_REGION (us-east-1), BENCH_HOST (host:port).
local sha = require("sha256")
local M = {}

M.key_id = os.getenv("BENCH_ACCESS_KEY_ID") or "AKIAROOTEXAMPLE00001"
M.secret = os.getenv("BENCH_SECRET_ACCESS_KEY") or "rootSecretKeyExample/0123456789abcdefgh"
M.region = os.getenv("BENCH_REGION") or "us-east-1"
M.host = os.getenv("BENCH_HOST") or "127.0.0.1:8301"

local signing_key, signing_day
-- The Authorization and X-Amz-Date header values for a request to `target` with `body`.
function M.sign(target, body)
  local amz_date = os.date("!%Y%m%dT%H%M%SZ")
  local day = amz_date:sub(1, 8)
  if day ~= signing_day then  -- the key is derived once per day, as SDKs cache it
    local k = sha.hmac("AWS4" .. M.secret, day)
    k = sha.hmac(sha.hmac(sha.hmac(k, M.region), "dynamodb"), "aws4_request")
    signing_key, signing_day = k, day
  end
  local signed = "content-type;host;x-amz-date;x-amz-target"
  local canonical = "POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:" .. M.host .. "\nx-amz-date:" ..
    amz_date .. "\nx-amz-target:" .. target .. "\n\n" .. signed .. "\n" .. sha.hex(sha.sha256(body))
  local scope = day .. "/" .. M.region .. "/dynamodb/aws4_request"
  local to_sign = "AWS4-HMAC-SHA256\n" .. amz_date .. "\n" .. scope .. "\n" .. sha.hex(sha.sha256(canonical))
  local signature = sha.hex(sha.hmac(signing_key, to_sign))
  return "AWS4-HMAC-SHA256 Credential=" .. M.key_id .. "/" .. scope .. ", SignedHeaders=" .. signed ..
    ", Signature=" .. signature, amz_date
end

-- A whole signed request for wrk. With BENCH_UNSIGNED=1 the same request with the unverifiable
-- Authorization header of the other scripts (for --auth=none: the same pool, so the two runs differ only
-- in the verification).
M.unsigned = os.getenv("BENCH_UNSIGNED") == "1"
function M.request(op, body)
  local target = "DynamoDB_20120810." .. op
  local auth, amz_date
  if M.unsigned then
    auth, amz_date = "AWS4-HMAC-SHA256 Credential=fake/20200101/us-east-1/dynamodb/aws4_request, " ..
      "SignedHeaders=host, Signature=0", os.date("!%Y%m%dT%H%M%SZ")
  else
    auth, amz_date = M.sign(target, body)
  end
  return wrk.format("POST", "/", {
    ["Host"] = M.host,
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = target,
    ["X-Amz-Date"] = amz_date,
    ["Authorization"] = auth,
  }, body)
end

return M
