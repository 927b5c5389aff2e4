// DynamoDB Streams driven end to end by the AWS SDK for JavaScript v3.
//
//   BASALT_ENDPOINT=http://127.0.0.1:8000 node --test tests/js/streams.test.mjs
//
// Run from pytest by tests/e2e/test_js_sdk.py (which starts Basalt, or uses BASALT_ENDPOINT); the same file passes
// against DynamoDB Local. Values are compared in the SDK's own shapes: AttributeValue objects such as {S: "x"},
// Uint8Array for binary, Date for timestamps, modelled error classes.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb-streams";

const endpoint = process.env.BASALT_ENDPOINT;
if (!endpoint) throw new Error("set BASALT_ENDPOINT, e.g. http://127.0.0.1:8000");

const config = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "fakeAccessKeyId", secretAccessKey: "fakeSecretAccessKey" },
  maxAttempts: 1,
};
const ddb = new DynamoDBClient(config);
const streams = new DynamoDBStreamsClient(config);

const REGIONS = ["us-east-1", "ddblocal"]; // DynamoDB Local puts "ddblocal" in ARNs and awsRegion
const LABEL = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}`;
const TIME_SLACK_MS = 180_000; // DynamoDB Local truncates ApproximateCreationDateTime to the minute

const created = [];

after(async () => {
  for (const name of created) {
    try {
      await ddb.send(new DeleteTableCommand({ TableName: name }));
    } catch {
      // already gone
    }
  }
  ddb.destroy();
  streams.destroy();
});

// --------------------------------------------------------------------------- helpers

function tableName(prefix) {
  return `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

async function waitActive(name) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    if (Table.TableStatus === "ACTIVE") return Table;
    if (Date.now() > deadline) throw new Error(`table ${name} not ACTIVE after 30 s`);
    await sleep(100);
  }
}

/** Creates a table with hash key pk (S), range key sk (N) and the given StreamSpecification (or none). */
async function createTable(prefix, streamSpecification) {
  const name = tableName(prefix);
  created.push(name);
  const out = await ddb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      ...(streamSpecification && { StreamSpecification: streamSpecification }),
    }),
  );
  const table = await waitActive(name);
  return { name, created: out.TableDescription, table };
}

async function streamTable(prefix, viewType) {
  const { name, table } = await createTable(prefix, { StreamEnabled: true, StreamViewType: viewType });
  assert.ok(table.LatestStreamArn, "DescribeTable has no LatestStreamArn");
  return { name, arn: table.LatestStreamArn };
}

const key = (pk, sk = 1) => ({ pk: { S: pk }, sk: { N: String(sk) } });
const put = (TableName, Item) => ddb.send(new PutItemCommand({ TableName, Item }));
const del = (TableName, Key) => ddb.send(new DeleteItemCommand({ TableName, Key }));

async function onlyShard(arn) {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  assert.equal(StreamDescription.Shards.length, 1, JSON.stringify(StreamDescription.Shards));
  return StreamDescription.Shards[0];
}

async function shardIterator(arn, type, sequenceNumber) {
  const shard = await onlyShard(arn);
  const out = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: arn,
      ShardId: shard.ShardId,
      ShardIteratorType: type,
      ...(sequenceNumber !== undefined && { SequenceNumber: sequenceNumber }),
    }),
  );
  assert.equal(typeof out.ShardIterator, "string");
  assert.ok(out.ShardIterator.length > 0);
  return out.ShardIterator;
}

/** GetRecords until a call returns no records or the shard ends; returns {records, next}. */
async function drain(iterator, maxCalls = 20) {
  const records = [];
  let it = iterator;
  for (let i = 0; i < maxCalls; i++) {
    const out = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
    assert.ok(Array.isArray(out.Records), "GetRecords returned no Records array");
    records.push(...out.Records);
    it = out.NextShardIterator;
    if (out.Records.length === 0 || it === undefined) return { records, next: it };
  }
  throw new Error(`stream did not drain in ${maxCalls} calls`);
}

async function allRecords(arn) {
  return (await drain(await shardIterator(arn, "TRIM_HORIZON"))).records;
}

const seqOf = (r) => r.dynamodb.SequenceNumber;

/** The envelope every record has, whatever its view type. */
function checkEnvelope(records, viewType) {
  const now = Date.now();
  for (const r of records) {
    assert.equal(r.eventSource, "aws:dynamodb");
    assert.equal(r.eventVersion, "1.1");
    assert.ok(REGIONS.includes(r.awsRegion), `awsRegion ${r.awsRegion}`);
    assert.equal(typeof r.eventID, "string");
    assert.ok(r.eventID.length > 0);
    const d = r.dynamodb;
    assert.equal(d.StreamViewType, viewType);
    assert.equal(typeof d.SizeBytes, "number");
    assert.ok(d.SizeBytes > 0, `SizeBytes ${d.SizeBytes}`);
    assert.ok(d.ApproximateCreationDateTime instanceof Date, `ApproximateCreationDateTime ${d.ApproximateCreationDateTime}`);
    assert.ok(Math.abs(d.ApproximateCreationDateTime.getTime() - now) < TIME_SLACK_MS,
      `ApproximateCreationDateTime ${d.ApproximateCreationDateTime.toISOString()} is not close to now`);
    assert.equal(typeof d.SequenceNumber, "string");
    assert.match(d.SequenceNumber, /^\d{21,40}$/);
  }
  const numbers = records.map((r) => BigInt(seqOf(r)));
  for (let i = 1; i < numbers.length; i++) {
    assert.ok(numbers[i - 1] < numbers[i], `sequence numbers not increasing: ${numbers.join(", ")}`);
  }
  assert.equal(new Set(records.map((r) => r.eventID)).size, records.length, "eventIDs are not unique");
}

/** Which images a record of the given view type carries: [NewImage?, OldImage?]. */
function imagesFor(viewType, eventName) {
  const news = viewType === "NEW_IMAGE" || viewType === "NEW_AND_OLD_IMAGES";
  const olds = viewType === "OLD_IMAGE" || viewType === "NEW_AND_OLD_IMAGES";
  return [news && eventName !== "REMOVE", olds && eventName !== "INSERT"];
}

async function rejectsWith(promise, name) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    assert.equal(err.$metadata?.httpStatusCode, 400);
    assert.equal(err.$fault, "client");
    return err;
  }
  assert.fail(`expected the call to reject with ${name}`);
}

// --------------------------------------------------------------------------- tests

describe("DynamoDB Streams through @aws-sdk/client-dynamodb-streams", () => {
  test("CreateTable with a StreamSpecification", async () => {
    const started = Date.now();
    const spec = { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" };
    const { name, created: td, table } = await createTable("js_st_create", spec);
    for (const desc of [td, table]) {
      assert.deepEqual(desc.StreamSpecification, spec);
      assert.match(desc.LatestStreamLabel, new RegExp(`^${LABEL}$`));
      assert.equal(desc.LatestStreamArn, `${desc.TableArn}/stream/${desc.LatestStreamLabel}`);
      assert.match(desc.LatestStreamArn,
        new RegExp(`^arn:aws:dynamodb:(${REGIONS.join("|")}):\\d{12}:table/${name}/stream/${LABEL}$`));
    }
    assert.equal(table.LatestStreamArn, td.LatestStreamArn);
    assert.equal(table.LatestStreamLabel, td.LatestStreamLabel);
    const labelTime = Date.parse(`${td.LatestStreamLabel}Z`); // the label is the creation time in UTC
    assert.ok(Math.abs(labelTime - started) < 60_000, `label ${td.LatestStreamLabel}`);
  });

  test("INSERT, MODIFY, MODIFY, REMOVE with NEW_AND_OLD_IMAGES", async () => {
    const viewType = "NEW_AND_OLD_IMAGES";
    const { name, arn } = await streamTable("js_st_records", viewType);
    const k = key("a", 7);
    const i1 = {
      ...k,
      v: { S: "hello" },
      n: { N: "12.50" },
      b: { B: new Uint8Array([0, 1, 255]) },
      l: { L: [{ N: "1" }, { NULL: true }, { BOOL: false }] },
      m: { M: { x: { SS: ["p"] }, y: { S: "z" } } },
    };
    const i1Stored = { ...i1, n: { N: "12.5" } }; // numbers are stored without trailing zeros
    const i2 = { ...k, v: { S: "world" }, n: { N: "-3.3" } };
    const i3 = { ...k, v: { S: "world" }, w: { NS: ["42"] } };

    await put(name, i1); // INSERT
    await put(name, i2); // MODIFY
    await ddb.send(new UpdateItemCommand({
      TableName: name,
      Key: k,
      UpdateExpression: "SET w = :w REMOVE n",
      ExpressionAttributeValues: { ":w": { NS: ["42"] } },
    })); // MODIFY
    await del(name, k); // REMOVE

    const listed = await streams.send(new ListStreamsCommand({ TableName: name }));
    assert.equal(listed.Streams.length, 1, JSON.stringify(listed.Streams));
    const [entry] = listed.Streams;
    assert.equal(entry.StreamArn, arn);
    assert.equal(entry.TableName, name);
    assert.ok(arn.endsWith(`/stream/${entry.StreamLabel}`), `${arn} vs label ${entry.StreamLabel}`);
    assert.equal(listed.LastEvaluatedStreamArn, undefined);

    const { StreamDescription: desc } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    assert.equal(desc.StreamArn, arn);
    assert.equal(desc.StreamLabel, entry.StreamLabel);
    assert.equal(desc.StreamStatus, "ENABLED");
    assert.equal(desc.StreamViewType, viewType);
    assert.equal(desc.TableName, name);
    assert.deepEqual(desc.KeySchema, [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    assert.ok(desc.CreationRequestDateTime instanceof Date);
    assert.ok(Math.abs(desc.CreationRequestDateTime.getTime() - Date.now()) < 60_000);
    assert.equal(desc.Shards.length, 1);
    const [shard] = desc.Shards;
    assert.match(shard.ShardId, /^shardId-\d{20}-[0-9a-f]{8}$/);
    assert.match(shard.SequenceNumberRange.StartingSequenceNumber, /^\d{21,40}$/);
    assert.equal(shard.SequenceNumberRange.EndingSequenceNumber, undefined); // the shard is open

    const it = (await streams.send(new GetShardIteratorCommand({
      StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON",
    }))).ShardIterator;
    const { records, next } = await drain(it);
    assert.equal(typeof next, "string", "an open shard always has a NextShardIterator");

    assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "MODIFY", "MODIFY", "REMOVE"]);
    checkEnvelope(records, viewType);
    assert.ok(BigInt(seqOf(records[0])) >= BigInt(shard.SequenceNumberRange.StartingSequenceNumber));
    const images = records.map((r) => ({ Keys: r.dynamodb.Keys, NewImage: r.dynamodb.NewImage, OldImage: r.dynamodb.OldImage }));
    assert.deepEqual(images, [
      { Keys: k, NewImage: i1Stored, OldImage: undefined },
      { Keys: k, NewImage: i2, OldImage: i1Stored },
      { Keys: k, NewImage: i3, OldImage: i2 },
      { Keys: k, NewImage: undefined, OldImage: i3 },
    ]);
    assert.ok(records[0].dynamodb.NewImage.b.B instanceof Uint8Array);
  });

  for (const viewType of ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"]) {
    test(`images carried by ${viewType} records`, async () => {
      const { name, arn } = await streamTable(`js_st_${viewType.toLowerCase()}`, viewType);
      const k = key("v", 2);
      const v1 = { ...k, a: { S: "one" } };
      const v2 = { ...k, a: { S: "two" }, c: { BOOL: true } };
      await put(name, v1);
      await put(name, v2);
      await del(name, k);
      const records = await allRecords(arn);
      assert.deepEqual(records.map((r) => r.eventName), ["INSERT", "MODIFY", "REMOVE"]);
      checkEnvelope(records, viewType);
      const images = { INSERT: [v1, undefined], MODIFY: [v2, v1], REMOVE: [undefined, v2] };
      for (const r of records) {
        const [hasNew, hasOld] = imagesFor(viewType, r.eventName);
        const [newImage, oldImage] = images[r.eventName];
        assert.deepEqual(r.dynamodb.Keys, k);
        assert.deepEqual(r.dynamodb.NewImage, hasNew ? newImage : undefined, `${r.eventName} NewImage`);
        assert.deepEqual(r.dynamodb.OldImage, hasOld ? oldImage : undefined, `${r.eventName} OldImage`);
      }
    });
  }

  describe("shard iterators", () => {
    let name;
    let arn;
    before(async () => {
      ({ name, arn } = await streamTable("js_st_iter", "KEYS_ONLY"));
    });

    test("LATEST, AT_ and AFTER_SEQUENCE_NUMBER, and Limit 1 walking NextShardIterator", async () => {
      await put(name, key("k0"));
      const latest = await shardIterator(arn, "LATEST");
      const empty = await streams.send(new GetRecordsCommand({ ShardIterator: latest }));
      assert.deepEqual(empty.Records, []);
      assert.equal(typeof empty.NextShardIterator, "string");
      for (const pk of ["k1", "k2", "k3"]) await put(name, key(pk));

      // LATEST starts after the records that were there when the iterator was made
      const fromLatest = await drain(empty.NextShardIterator);
      assert.deepEqual(fromLatest.records.map((r) => r.dynamodb.Keys), [key("k1"), key("k2"), key("k3")]);
      checkEnvelope(fromLatest.records, "KEYS_ONLY");

      const all = await allRecords(arn);
      assert.deepEqual(all.map((r) => r.dynamodb.Keys.pk.S), ["k0", "k1", "k2", "k3"]);
      checkEnvelope(all, "KEYS_ONLY");
      assert.deepEqual(fromLatest.records.map((r) => r.eventID), all.slice(1).map((r) => r.eventID));

      const after1 = await drain(await shardIterator(arn, "AFTER_SEQUENCE_NUMBER", seqOf(all[1])));
      assert.deepEqual(after1.records.map((r) => r.dynamodb.Keys.pk.S), ["k2", "k3"]);
      assert.deepEqual(after1.records.map(seqOf), all.slice(2).map(seqOf));
      const at1 = await drain(await shardIterator(arn, "AT_SEQUENCE_NUMBER", seqOf(all[1])));
      assert.deepEqual(at1.records.map((r) => r.dynamodb.Keys.pk.S), ["k1", "k2", "k3"]);
      const afterLast = await drain(await shardIterator(arn, "AFTER_SEQUENCE_NUMBER", seqOf(all[3])));
      assert.deepEqual(afterLast.records, []);

      // Limit 1: one record a call, walking NextShardIterator
      let it = await shardIterator(arn, "TRIM_HORIZON");
      const walked = [];
      for (let i = 0; i < 10; i++) {
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1 }));
        assert.ok(out.Records.length <= 1, `Limit 1 returned ${out.Records.length} records`);
        assert.equal(typeof out.NextShardIterator, "string");
        it = out.NextShardIterator;
        if (out.Records.length === 0) break;
        walked.push(out.Records[0]);
      }
      assert.deepEqual(walked.map((r) => r.dynamodb.Keys.pk.S), ["k0", "k1", "k2", "k3"]);
      assert.deepEqual(walked.map(seqOf), all.map(seqOf));
    });
  });

  describe("errors as the SDK sees them", () => {
    test("GetRecords with a bogus iterator is a ValidationException", async () => {
      const err = await rejectsWith(
        streams.send(new GetRecordsCommand({ ShardIterator: "bogus-shard-iterator" })), "ValidationException");
      assert.equal(err.message, "Invalid ShardIterator");
    });

    test("DescribeStream of an unknown stream is a ResourceNotFoundException", async () => {
      const { name, arn } = await streamTable("js_st_err", "KEYS_ONLY");
      const missing = arn.replace(`:table/${name}/`, `:table/${tableName("js_no_such_table")}/`);
      assert.notEqual(missing, arn);
      const err = await rejectsWith(
        streams.send(new DescribeStreamCommand({ StreamArn: missing })), "ResourceNotFoundException");
      assert.ok(err instanceof ResourceNotFoundException, "not the SDK's modelled ResourceNotFoundException");
      assert.equal(err.message, `Requested resource not found: Stream: ${missing} not found`);
    });
  });

  test("UpdateTable disables the stream and its shard closes", async () => {
    const { name, arn } = await streamTable("js_st_disable", "NEW_IMAGE");
    await put(name, key("a"));
    await put(name, key("b"));
    const it = await shardIterator(arn, "TRIM_HORIZON");

    const { TableDescription: td } = await ddb.send(new UpdateTableCommand({
      TableName: name, StreamSpecification: { StreamEnabled: false },
    }));
    assert.equal(td.StreamSpecification, undefined);
    assert.equal(td.LatestStreamArn, arn); // the latest stream stays
    await waitActive(name);
    await put(name, key("c")); // not recorded: the stream is off

    const { StreamDescription: desc } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    assert.equal(desc.StreamStatus, "DISABLED");
    assert.equal(desc.Shards.length, 1);
    const range = desc.Shards[0].SequenceNumberRange;
    assert.match(range.EndingSequenceNumber ?? "", /^\d{21,40}$/, "a closed shard has an EndingSequenceNumber");

    // read the shard to its end: the last call has no NextShardIterator
    let iterator = it;
    const records = [];
    let calls = 0;
    while (iterator !== undefined) {
      assert.ok(++calls <= 20, "a closed shard did not end within 20 calls");
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...out.Records);
      iterator = out.NextShardIterator;
    }
    assert.deepEqual(records.map((r) => r.dynamodb.Keys), [key("a"), key("b")]);
    checkEnvelope(records, "NEW_IMAGE");
    assert.equal(range.EndingSequenceNumber, seqOf(records.at(-1)));
    assert.ok(BigInt(range.StartingSequenceNumber) <= BigInt(seqOf(records[0])));

    const listed = await streams.send(new ListStreamsCommand({ TableName: name }));
    assert.deepEqual(listed.Streams.map((s) => s.StreamArn), [arn]);
  });
});
