// The console's pure parts under node: DynamoDB JSON checks, the key-condition
// builder, the Prometheus parser and rates, the report charts' arithmetic,
// and the JavaScript SHA-256/HMAC that signs where WebCrypto is missing.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { test } from "node:test";

import { keyCondition, parseItem, parsePrometheus, rates, tableTotals } from "../web/model.js";
import { hex, hmacJs, sha256Js } from "../web/sigv4.js";
import { heatClass, partitionLoad } from "../web/report-charts.js";

const music = {
  KeySchema: [{ AttributeName: "Artist", KeyType: "HASH" }, { AttributeName: "Song", KeyType: "RANGE" }],
  AttributeDefinitions: [{ AttributeName: "Artist", AttributeType: "S" }, { AttributeName: "Song", AttributeType: "S" }],
};

const error = (text) => {
  try {
    parseItem(text, music);
    return "ok";
  } catch (e) {
    return e.message;
  }
};

test("an item is checked as DynamoDB JSON with its key", () => {
  assert.equal(error('{"Artist": {"S": "Nina"}, "Song": {"S": "Sinnerman"}, "Year": {"N": "1965"}, ' +
    '"Tags": {"SS": ["jazz", "soul"]}, "Meta": {"M": {"live": {"BOOL": true}, "l": {"L": [{"NULL": true}]}}}}'), "ok");
  assert.equal(error("{"), "not JSON: " + (() => { try { JSON.parse("{"); } catch (e) { return e.message; } })());
  assert.equal(error("[]"), "an item is a JSON object");
  assert.equal(error('{"Artist": {"S": "Nina"}}'), "the key attribute Song is missing");
  assert.equal(error('{"Artist": {"N": "1"}, "Song": {"S": "x"}}'), "the key attribute Artist must be of type S");
  assert.equal(error('{"Artist": "Nina", "Song": {"S": "x"}}'), 'Artist: expected an object such as {"S": "text"}');
  assert.equal(error('{"Artist": {"S": "a", "N": "1"}, "Song": {"S": "x"}}'),
    "Artist: expected exactly one of S, N, B, BOOL, NULL, M, L, SS, NS, BS, got S, N");
  assert.equal(error('{"Artist": {"S": "a"}, "Song": {"S": "x"}, "Year": {"N": "19x"}}'),
    'Year.N: expected a number as a string, e.g. "42"');
  assert.equal(error('{"Artist": {"S": "a"}, "Song": {"S": "x"}, "T": {"SS": ["a", "a"]}}'),
    "T.SS: duplicate values in a set");
  assert.equal(error('{"Artist": {"S": "a"}, "Song": {"S": "x"}, "M": {"M": {"in": {"L": [{"Q": 1}]}}}}'),
    "M.M.in.L[0]: expected exactly one of S, N, B, BOOL, NULL, M, L, SS, NS, BS, got Q");
});

test("the key condition uses placeholders for every name and value", () => {
  assert.deepEqual(keyCondition({ partitionKey: "Artist", partitionType: "S", partitionValue: "Nina" }), {
    KeyConditionExpression: "#pk = :pk",
    ExpressionAttributeNames: { "#pk": "Artist" },
    ExpressionAttributeValues: { ":pk": { S: "Nina" } },
  });
  const between = keyCondition({ partitionKey: "pk", partitionType: "S", partitionValue: "u#1", sortKey: "ts",
    sortType: "N", operator: "between", value: "1", value2: "9" });
  assert.equal(between.KeyConditionExpression, "#pk = :pk AND #sk BETWEEN :sk AND :sk2");
  assert.deepEqual(between.ExpressionAttributeValues, { ":pk": { S: "u#1" }, ":sk": { N: "1" }, ":sk2": { N: "9" } });
  assert.equal(keyCondition({ partitionKey: "a", partitionType: "S", partitionValue: "x", sortKey: "b", sortType: "S",
    operator: "begins_with", value: "Sin" }).KeyConditionExpression, "#pk = :pk AND begins_with(#sk, :sk)");
  assert.equal(keyCondition({ partitionKey: "a", partitionType: "S", partitionValue: "x", sortKey: "b", sortType: "S",
    operator: "<=", value: "m" }).KeyConditionExpression, "#pk = :pk AND #sk <= :sk");
  assert.throws(() => keyCondition({ partitionKey: "a", partitionType: "S", partitionValue: "x", sortKey: "b",
    sortType: "S", operator: "<>", value: "m" }), /unknown sort key operator <>/);
});

const scrape = (read, write, throttled, sum, count) => `# HELP dynamodb_consumed_read_capacity_units_total x
# TYPE dynamodb_consumed_read_capacity_units_total counter
dynamodb_consumed_read_capacity_units_total{table="Music"} ${read}
dynamodb_consumed_read_capacity_units_total{table="Music",index="ByYear"} 99
dynamodb_consumed_write_capacity_units_total{table="Music"} ${write}
dynamodb_throttled_requests_total{table="Music",operation="GetItem"} ${throttled}
dynamodb_successful_request_latency_seconds_bucket{table="Music",operation="GetItem",le="0.001"} 3
dynamodb_successful_request_latency_seconds_sum{table="Music",operation="GetItem"} ${sum}
dynamodb_successful_request_latency_seconds_count{table="Music",operation="GetItem"} ${count}
dynamodb_consumed_read_capacity_units_total{table="we\\"ird"} 1
process_open_fds 12
`;

test("metrics become per-table rates between two scrapes", () => {
  const samples = parsePrometheus(scrape(10, 4, 0, 0.002, 4));
  assert.deepEqual(samples.find((s) => s.labels.table === 'we"ird'), {
    name: "dynamodb_consumed_read_capacity_units_total", labels: { table: 'we"ird' }, value: 1 });
  const before = tableTotals(samples);
  assert.deepEqual(before.Music, { read: 10, write: 4, throttled: 0, latencySum: 0.002, latencyCount: 4 });
  const after = tableTotals(parsePrometheus(scrape(30, 8, 2, 0.012, 14)));
  assert.deepEqual(rates(before, after, 2).Music, { rcu: 10, wcu: 2, throttles: 1, latencyMs: 1 });
  assert.equal(rates(after, after, 2).Music.latencyMs, null);
});

test("a key's heat is its load against the per-partition limits", () => {
  assert.equal(partitionLoad({ rcu_per_s: 1500, wcu_per_s: 100 }), 0.5);
  assert.equal(partitionLoad({ rcu_per_s: 300, wcu_per_s: 900 }), 0.9);
  assert.deepEqual([0, 0.1, 0.3, 0.5, 0.85, 2].map(heatClass), ["h0", "h1", "h2", "h3", "h4", "h4"]);
});

test("the JavaScript SHA-256 and HMAC agree with OpenSSL's", () => {
  for (const text of ["", "abc", "a".repeat(55), "a".repeat(56), "a".repeat(64), "é".repeat(1000)]) {
    assert.equal(hex(sha256Js(text)), createHash("sha256").update(text).digest("hex"), `sha256 of ${text.length}`);
  }
  for (const key of ["k", "AWS4secret", "x".repeat(100)]) {
    assert.equal(hex(hmacJs(key, "20261205")), createHmac("sha256", key).update("20261205").digest("hex"));
  }
});
