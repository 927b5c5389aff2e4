// What the console computes without the network, so that node tests it
// (console/test/model.test.mjs): DynamoDB JSON validation, the key-condition
// builder, the Prometheus text parser and per-table rates.

const TYPES = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// Throws an Error naming the path of the first value that is not DynamoDB
// JSON ({"S": "x"}, {"N": "1"}, ..., {"M": {...}}, {"L": [...]}).
export function checkValue(v, path) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new Error(`${path}: expected an object such as {"S": "text"}`);
  }
  const keys = Object.keys(v);
  if (keys.length !== 1 || !TYPES.includes(keys[0])) {
    throw new Error(`${path}: expected exactly one of ${TYPES.join(", ")}, got ${keys.join(", ") || "nothing"}`);
  }
  const [t] = keys;
  const x = v[t];
  const fail = (what) => { throw new Error(`${path}.${t}: ${what}`); };
  switch (t) {
    case "S": if (typeof x !== "string") fail("expected a string"); break;
    case "N": if (typeof x !== "string" || !NUMBER.test(x)) fail("expected a number as a string, e.g. \"42\""); break;
    case "B": if (typeof x !== "string" || !BASE64.test(x)) fail("expected base64 text"); break;
    case "BOOL": if (typeof x !== "boolean") fail("expected true or false"); break;
    case "NULL": if (x !== true) fail("expected true"); break;
    case "M":
      if (x === null || typeof x !== "object" || Array.isArray(x)) fail("expected an object");
      for (const [k, e] of Object.entries(x)) checkValue(e, `${path}.M.${k}`);
      break;
    case "L":
      if (!Array.isArray(x)) fail("expected an array");
      x.forEach((e, i) => checkValue(e, `${path}.L[${i}]`));
      break;
    default: {  // SS, NS, BS
      if (!Array.isArray(x) || x.length === 0) fail("expected a non-empty array");
      if (new Set(x).size !== x.length) fail("duplicate values in a set");
      for (const e of x) {
        if (typeof e !== "string") fail("expected strings");
        if (t === "NS" && !NUMBER.test(e)) fail(`"${e}" is not a number`);
        if (t === "BS" && !BASE64.test(e)) fail(`"${e}" is not base64`);
      }
    }
  }
}

// The item of `text` (DynamoDB JSON), checked, with the table's key
// attributes present in their declared types. Throws an Error saying what
// is wrong.
export function parseItem(text, table) {
  let item;
  try {
    item = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${e.message}`);
  }
  if (item === null || typeof item !== "object" || Array.isArray(item)) throw new Error("an item is a JSON object");
  for (const [name, v] of Object.entries(item)) checkValue(v, name);
  for (const k of table.KeySchema || []) {
    const type = (table.AttributeDefinitions || []).find((d) => d.AttributeName === k.AttributeName)?.AttributeType;
    const v = item[k.AttributeName];
    if (!v) throw new Error(`the key attribute ${k.AttributeName} is missing`);
    if (type && !(type in v)) throw new Error(`the key attribute ${k.AttributeName} must be of type ${type}`);
  }
  return item;
}

// The key of `item` under `keySchema`.
export function keyOf(item, keySchema) {
  return Object.fromEntries(keySchema.map((k) => [k.AttributeName, item[k.AttributeName]]));
}

export const SORT_OPERATORS = ["=", "<", "<=", ">", ">=", "between", "begins_with"];

// A Query's key condition, with placeholders for every name and value:
//   {partitionKey, partitionType, partitionValue,
//    sortKey?, sortType?, operator?, value?, value2?}
// -> {KeyConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues}
export function keyCondition(c) {
  const names = { "#pk": c.partitionKey };
  const values = { ":pk": { [c.partitionType]: c.partitionValue } };
  let expr = "#pk = :pk";
  if (c.sortKey && c.operator) {
    if (!SORT_OPERATORS.includes(c.operator)) throw new Error(`unknown sort key operator ${c.operator}`);
    names["#sk"] = c.sortKey;
    values[":sk"] = { [c.sortType]: c.value };
    if (c.operator === "between") {
      values[":sk2"] = { [c.sortType]: c.value2 };
      expr += " AND #sk BETWEEN :sk AND :sk2";
    } else if (c.operator === "begins_with") {
      expr += " AND begins_with(#sk, :sk)";
    } else {
      expr += ` AND #sk ${c.operator} :sk`;
    }
  }
  return { KeyConditionExpression: expr, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

// The samples of Prometheus text: [{name, labels: {...}, value}].
export function parsePrometheus(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    for (let l; (l = re.exec(m[2] || ""));) {
      labels[l[1]] = l[2].replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

// Per-table totals of one scrape: {table: {read, write, throttled, latencySum, latencyCount}}
// (table-level samples only: GSI samples carry an index label).
export function tableTotals(samples) {
  const t = {};
  const at = (name) => (t[name] ||= { read: 0, write: 0, throttled: 0, latencySum: 0, latencyCount: 0 });
  for (const s of samples) {
    const table = s.labels.table;
    if (!table || s.labels.index) continue;
    switch (s.name) {
      case "dynamodb_consumed_read_capacity_units_total": at(table).read += s.value; break;
      case "dynamodb_consumed_write_capacity_units_total": at(table).write += s.value; break;
      case "dynamodb_throttled_requests_total": at(table).throttled += s.value; break;
      case "dynamodb_successful_request_latency_seconds_sum": at(table).latencySum += s.value; break;
      case "dynamodb_successful_request_latency_seconds_count": at(table).latencyCount += s.value; break;
      default: break;
    }
  }
  return t;
}

// Rates between two scrapes `seconds` apart: {table: {rcu, wcu, throttles, latencyMs}}
// (per second; latencyMs the mean of the requests in between, null without any).
export function rates(before, after, seconds) {
  const out = {};
  for (const [table, a] of Object.entries(after)) {
    const b = before[table] || { read: 0, write: 0, throttled: 0, latencySum: 0, latencyCount: 0 };
    const n = a.latencyCount - b.latencyCount;
    out[table] = {
      rcu: Math.max(0, a.read - b.read) / seconds,
      wcu: Math.max(0, a.write - b.write) / seconds,
      throttles: Math.max(0, a.throttled - b.throttled) / seconds,
      latencyMs: n > 0 ? ((a.latencySum - b.latencySum) / n) * 1000 : null,
    };
  }
  return out;
}
