-- UpdateItem with a nested SET (two paths inside a map, one a list element)
-- on a random item of the "<table>doc" table, preloaded with such a map.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")
c.headers("UpdateItem")
setup, init, done = c.setup, c.init, c.done

local prefix = '{"TableName":"' .. c.table .. 'doc","Key":{"pk":{"S":"'
local suffix = '"}},"UpdateExpression":"SET #d.#p.#c = :v, #d.#l[1] = :n",'
  .. '"ExpressionAttributeNames":{"#d":"doc","#p":"profile","#c":"city","#l":"scores"},'
  .. '"ExpressionAttributeValues":{":v":{"S":"%s"},":n":{"N":"%d"}}}'
request = function()
  local body = prefix .. c.key(math.random(0, c.keys - 1)) .. string.format(suffix, "c" .. math.random(0, 999),
    math.random(0, 99999))
  return wrk.format(nil, nil, nil, body)
end
