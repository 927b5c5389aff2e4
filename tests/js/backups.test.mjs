// Backups, point-in-time recovery and instant snapshots driven by the AWS SDK for JavaScript v3, including
// RecoveryPeriodInDays (newer than Debian's botocore), and the instant-snapshot reset a Jest or node:test
// suite does between tests (the README's example).
//
//   BASALT_ENDPOINT=http://127.0.0.1:8000 node --test tests/js/backups.test.mjs
//
// Run from pytest by tests/e2e/test_js_sdk.py. DynamoDB Local has none of these operations: against it the
// tests skip themselves.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import {
  CreateBackupCommand,
  CreateTableCommand,
  DeleteBackupCommand,
  DeleteTableCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
} from "@aws-sdk/client-dynamodb";

const endpoint = process.env.BASALT_ENDPOINT;
if (!endpoint) throw new Error("set BASALT_ENDPOINT, e.g. http://127.0.0.1:8000");

const ddb = new DynamoDBClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "fakeAccessKeyId", secretAccessKey: "fakeSecretAccessKey" },
  maxAttempts: 1,
});
const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
const table = `bk_js_${suffix}`;
const made = [table];
let supported = true;

async function waitActive(name) {
  for (let i = 0; i < 300; i++) {
    const t = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
    if (t.TableStatus === "ACTIVE") return t;
    await sleep(20);
  }
  throw new Error(`${name} not ACTIVE`);
}

async function keys(name) {
  const items = (await ddb.send(new ScanCommand({ TableName: name }))).Items;
  return items.map((i) => i.pk.S).sort();
}

before(async () => {
  await ddb.send(new CreateTableCommand({
    TableName: table,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    BillingMode: "PAY_PER_REQUEST",
  }));
  await waitActive(table);
  for (const k of ["a", "b"]) await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: k } } }));
  try {
    await ddb.send(new DescribeContinuousBackupsCommand({ TableName: table }));
  } catch (e) {
    if (e.name === "UnknownOperationException") supported = false;
    else throw e;
  }
});

after(async () => {
  for (const name of made) {
    try {
      await ddb.send(new DeleteTableCommand({ TableName: name }));
    } catch {}
  }
});

test("backup and restore", async (t) => {
  if (!supported) return t.skip("no backups on this target");
  const { BackupDetails } = await ddb.send(new CreateBackupCommand({ TableName: table, BackupName: "js-backup" }));
  assert.match(BackupDetails.BackupArn, /:table\/bk_js_\w+\/backup\/\d{14}-[0-9a-f]{8}$/);
  for (let i = 0; i < 300; i++) {
    const d = await ddb.send(new DescribeBackupCommand({ BackupArn: BackupDetails.BackupArn }));
    if (d.BackupDescription.BackupDetails.BackupStatus === "AVAILABLE") break;
    await sleep(20);
  }
  const target = `${table}_restored`;
  made.push(target);
  const r = await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: BackupDetails.BackupArn }));
  assert.equal(r.TableDescription.RestoreSummary.SourceBackupArn, BackupDetails.BackupArn);
  await waitActive(target);
  assert.deepEqual(await keys(target), ["a", "b"]);
  const deleted = await ddb.send(new DeleteBackupCommand({ BackupArn: BackupDetails.BackupArn }));
  assert.equal(deleted.BackupDescription.BackupDetails.BackupStatus, "DELETED");
});

test("point-in-time recovery with a recovery period", async (t) => {
  if (!supported) return t.skip("no PITR on this target");
  const u = await ddb.send(new UpdateContinuousBackupsCommand({
    TableName: table,
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 3 },
  }));
  const p = u.ContinuousBackupsDescription.PointInTimeRecoveryDescription;
  assert.equal(p.PointInTimeRecoveryStatus, "ENABLED");
  assert.equal(p.RecoveryPeriodInDays, 3);
  assert.ok(p.EarliestRestorableDateTime instanceof Date);
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "c" } } }));
  const target = `${table}_pitr`;
  made.push(target);
  await ddb.send(new RestoreTableToPointInTimeCommand({
    SourceTableName: table, TargetTableName: target, UseLatestRestorableTime: true,
  }));
  await waitActive(target);
  assert.deepEqual(await keys(target), ["a", "b", "c"]);
});

test("instant snapshots reset the instance between tests", async (t) => {
  if (!supported) return t.skip("no instant snapshots on this target");
  // A region of its own: a restore replaces every table of the namespace.
  const region = "eu-north-1";
  const own = new DynamoDBClient({
    endpoint, region, maxAttempts: 1,
    credentials: { accessKeyId: "fakeAccessKeyId", secretAccessKey: "fakeSecretAccessKey" },
  });
  await own.send(new CreateTableCommand({
    TableName: table,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    BillingMode: "PAY_PER_REQUEST",
  }));
  await own.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "fixture" } } }));
  const base = `${endpoint.replace(/\/$/, "")}/basalt/snapshots/js_${suffix}`;
  assert.equal((await fetch(`${base}?region=${region}&access_key=fakeAccessKeyId`, { method: "POST" })).status, 200);
  await own.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "dirty" } } }));
  assert.equal((await fetch(`${base}/restore?region=${region}&access_key=fakeAccessKeyId`, { method: "POST" })).status, 200);
  const items = (await own.send(new ScanCommand({ TableName: table }))).Items.map((i) => i.pk.S);
  assert.deepEqual(items, ["fixture"]);
  assert.equal((await fetch(`${base}?region=${region}&access_key=fakeAccessKeyId`, { method: "DELETE" })).status, 200);
  await own.send(new DeleteTableCommand({ TableName: table }));
});
