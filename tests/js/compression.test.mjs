// Compressed responses read by the AWS SDK for JavaScript v3.
//
//   BASALT_ENDPOINT=http://127.0.0.1:8000 node --test tests/js/compression.test.mjs
//
// The SDK's default Node handler (@smithy/node-http-handler) sends no Accept-Encoding and would not decompress,
// so it must keep getting identity bodies. Its fetch handler (@smithy/fetch-http-handler, what browsers use)
// runs on fetch, which asks for gzip and deflate itself and inflates what comes back: it must read Basalt's
// compressed responses. The v3 SDK does not check x-amz-crc32 (the Python tests check it over the bytes sent).
// DynamoDB Local never compresses (BASALT_TARGET=dynamodb-local): there only the items are compared.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";

const endpoint = process.env.BASALT_ENDPOINT;
if (!endpoint) throw new Error("set BASALT_ENDPOINT, e.g. http://127.0.0.1:8000");
const isLocal = ["dynamodb-local", "dynamodb_local", "ddblocal", "local"].includes(
  (process.env.BASALT_TARGET ?? "").trim().toLowerCase(),
);

const config = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "fakeAccessKeyId", secretAccessKey: "fakeSecretAccessKey" },
  maxAttempts: 1,
};

/** A client that records the Content-Encoding of every response it deserializes. */
function recordingClient(extra = {}) {
  const client = new DynamoDBClient({ ...config, ...extra });
  client.encodings = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      client.encodings.push(out.response.headers["content-encoding"]);
      return out;
    },
    { step: "deserialize", name: "recordContentEncoding" },
  );
  return client;
}

const plain = recordingClient();
const viaFetch = recordingClient({ requestHandler: new FetchHttpHandler() });
const table = `js_gzip_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

function bigItem(pk, size) {
  const words = ["alpha", "beta", "gamma", "delta", "epsilon"];
  let text = "";
  for (let i = 0; text.length < size; i++) text += `${words[i % words.length]}${i % 89} `;
  return { pk: { S: pk }, text: { S: text }, n: { N: "7" }, b: { B: new Uint8Array([0, 1, 2, 255]) } };
}

before(async () => {
  await plain.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
    const { Table } = await plain.send(new DescribeTableCommand({ TableName: table }));
    if (Table.TableStatus === "ACTIVE") return;
  }
  throw new Error(`table ${table} not ACTIVE after 30 s`);
});

after(async () => {
  try {
    await plain.send(new DeleteTableCommand({ TableName: table }));
  } catch {
    // already gone
  }
  plain.destroy();
  viaFetch.destroy();
});

test("the fetch handler reads a gzipped GetItem response", async () => {
  const item = bigItem("big-get", 50_000);
  await plain.send(new PutItemCommand({ TableName: table, Item: item }));
  viaFetch.encodings.length = 0;
  const out = await viaFetch.send(new GetItemCommand({ TableName: table, Key: { pk: item.pk }, ConsistentRead: true }));
  assert.deepEqual(out.Item, item);
  assert.deepEqual(viaFetch.encodings, [isLocal ? undefined : "gzip"]);
  assert.ok(out.$metadata.requestId);
});

test("the fetch handler reads a gzipped Scan page and an identity small response", async () => {
  for (let i = 0; i < 5; i++) await plain.send(new PutItemCommand({ TableName: table, Item: bigItem(`scan-${i}`, 5_000) }));
  viaFetch.encodings.length = 0;
  const scan = await viaFetch.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  assert.ok(scan.Items.length >= 5);
  const tables = await viaFetch.send(new ListTablesCommand({ Limit: 1 }));
  assert.ok(Array.isArray(tables.TableNames));
  // Small bodies stay identity even though fetch accepts gzip (the service's threshold is ~4 KB).
  assert.deepEqual(viaFetch.encodings, [isLocal ? undefined : "gzip", undefined]);
});

test("the default Node handler asks for nothing and gets identity bodies", async () => {
  const item = bigItem("big-plain", 50_000);
  await plain.send(new PutItemCommand({ TableName: table, Item: item }));
  plain.encodings.length = 0;
  const out = await plain.send(new GetItemCommand({ TableName: table, Key: { pk: item.pk }, ConsistentRead: true }));
  assert.deepEqual(out.Item, item);
  assert.deepEqual(plain.encodings, [undefined]);
});
