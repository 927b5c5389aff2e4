// PartiQL driven by the AWS SDK for JavaScript v3: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction,
// including the members Debian's botocore does not know (ReturnValuesOnConditionCheckFailure, the Item of a
// ConditionalCheckFailedException and of a BatchStatementError).
//
//   BASALT_ENDPOINT=http://127.0.0.1:8000 node --test tests/js/partiql.test.mjs
//
// Run from pytest by tests/e2e/test_js_sdk.py; the same file passes against DynamoDB Local.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import {
  BatchExecuteStatementCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";

const endpoint = process.env.BASALT_ENDPOINT;
if (!endpoint) throw new Error("set BASALT_ENDPOINT, e.g. http://127.0.0.1:8000");

const ddb = new DynamoDBClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "fakeAccessKeyId", secretAccessKey: "fakeSecretAccessKey" },
  maxAttempts: 1,
});
const table = `pq_js_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

before(async () => {
  await ddb.send(new CreateTableCommand({
    TableName: table,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    BillingMode: "PAY_PER_REQUEST",
  }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
    if (Table.TableStatus === "ACTIVE") break;
    if (Date.now() > deadline) throw new Error("table not ACTIVE");
    await sleep(100);
  }
});

after(async () => {
  try {
    await ddb.send(new DeleteTableCommand({ TableName: table }));
  } finally {
    ddb.destroy();
  }
});

const run = (Statement, Parameters, extra = {}) =>
  ddb.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra }));

test("INSERT, SELECT by key and by partition, with parameters of every kind", async () => {
  await run(`INSERT INTO "${table}" VALUE {'pk': ?, 'sk': 1, 'b': ?, 'n': 5}`, [{ S: "a" }, { B: new Uint8Array([0, 1]) }]);
  await run(`INSERT INTO "${table}" VALUE {'pk': 'a', 'sk': 2, 'n': 6}`);
  const one = await run(`SELECT b, n FROM "${table}" WHERE pk = ? AND sk = ?`, [{ S: "a" }, { N: "1" }]);
  assert.deepEqual(one.Items, [{ b: { B: new Uint8Array([0, 1]) }, n: { N: "5" } }]);
  const all = await run(`SELECT sk FROM "${table}" WHERE pk = 'a'`);
  assert.deepEqual(all.Items, [{ sk: { N: "1" } }, { sk: { N: "2" } }]);
});

test("a failed condition returns the item with ReturnValuesOnConditionCheckFailure ALL_OLD", async () => {
  await run(`INSERT INTO "${table}" VALUE {'pk': 'c', 'sk': 1, 'n': 1}`);
  await assert.rejects(
    run(`UPDATE "${table}" SET n = 2 WHERE pk = 'c' AND sk = 1 AND n = 9`, undefined,
        { ReturnValuesOnConditionCheckFailure: "ALL_OLD" }),
    (e) => {
      assert.ok(e instanceof ConditionalCheckFailedException, e.name);
      assert.deepEqual(e.Item, { pk: { S: "c" }, sk: { N: "1" }, n: { N: "1" } });
      return true;
    });
});

test("BatchExecuteStatement answers each statement, with the item of a failed condition", async () => {
  await run(`INSERT INTO "${table}" VALUE {'pk': 'd', 'sk': 1, 'n': 1}`);
  const { Responses } = await ddb.send(new BatchExecuteStatementCommand({ Statements: [
    { Statement: `UPDATE "${table}" SET n = 2 WHERE pk = 'd' AND sk = 1 AND n = 9`,
      ReturnValuesOnConditionCheckFailure: "ALL_OLD" },
    { Statement: `INSERT INTO "${table}" VALUE {'pk': 'd', 'sk': 2}` },
  ] }));
  assert.equal(Responses[0].Error.Code, "ConditionalCheckFailed");
  assert.deepEqual(Responses[0].Error.Item, { pk: { S: "d" }, sk: { N: "1" }, n: { N: "1" } });
  assert.equal(Responses[1].Error, undefined);
});

test("ExecuteTransaction is all or nothing and idempotent with a ClientRequestToken", async () => {
  const token = randomUUID();
  const statements = [
    { Statement: `INSERT INTO "${table}" VALUE {'pk': 'e', 'sk': 1, 'n': 0}` },
    { Statement: `INSERT INTO "${table}" VALUE {'pk': 'e', 'sk': 2, 'n': 0}` },
  ];
  await ddb.send(new ExecuteTransactionCommand({ TransactStatements: statements, ClientRequestToken: token }));
  await ddb.send(new ExecuteTransactionCommand({ TransactStatements: statements, ClientRequestToken: token }));
  await assert.rejects(
    ddb.send(new ExecuteTransactionCommand({ TransactStatements: [
      { Statement: `UPDATE "${table}" SET n = 1 WHERE pk = 'e' AND sk = 1` },
      { Statement: `INSERT INTO "${table}" VALUE {'pk': 'e', 'sk': 2}` },
    ] })),
    (e) => {
      assert.ok(e instanceof TransactionCanceledException, e.name);
      assert.deepEqual(e.CancellationReasons.map((r) => r.Code), ["None", "ValidationError"]);
      return true;
    });
  const rows = await run(`SELECT n FROM "${table}" WHERE pk = 'e'`);
  assert.deepEqual(rows.Items, [{ n: { N: "0" } }, { n: { N: "0" } }]);
});
