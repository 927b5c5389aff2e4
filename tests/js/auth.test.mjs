// The AWS SDK for JavaScript v3 against Basalt started with --auth=sigv4: a user's long-term key, a role's
// temporary credentials (session token), and the service's errors for an unknown key and a wrong secret.
//
// Needs a server and principals made for it, passed in the environment by tests/e2e/test_auth.py:
//   BASALT_ENDPOINT, BASALT_TEST_USER_KEY/SECRET, BASALT_TEST_ROLE_KEY/SECRET/TOKEN, BASALT_TEST_TABLE.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";

const env = process.env;
const endpoint = env.BASALT_ENDPOINT;
if (!endpoint || !env.BASALT_TEST_USER_KEY) throw new Error("run from tests/e2e/test_auth.py");

const client = (credentials) => new DynamoDBClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

test("a user's access key signs requests", async () => {
  const ddb = client({ accessKeyId: env.BASALT_TEST_USER_KEY, secretAccessKey: env.BASALT_TEST_USER_SECRET });
  try {
    await ddb.send(new PutItemCommand({ TableName: env.BASALT_TEST_TABLE, Item: { pk: { S: "js" }, v: { N: "7" } } }));
    const { Item } = await ddb.send(new GetItemCommand({ TableName: env.BASALT_TEST_TABLE, Key: { pk: { S: "js" } } }));
    assert.deepEqual(Item, { pk: { S: "js" }, v: { N: "7" } });
  } finally {
    ddb.destroy();
  }
});

test("temporary credentials with a session token", async () => {
  const ddb = client({
    accessKeyId: env.BASALT_TEST_ROLE_KEY,
    secretAccessKey: env.BASALT_TEST_ROLE_SECRET,
    sessionToken: env.BASALT_TEST_ROLE_TOKEN,
  });
  try {
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    assert.ok(TableNames.includes(env.BASALT_TEST_TABLE));
    // The role may list but not write: the service's AccessDeniedException.
    await assert.rejects(
      ddb.send(new PutItemCommand({ TableName: env.BASALT_TEST_TABLE, Item: { pk: { S: "x" } } })),
      (e) => e.name === "AccessDeniedException" && /is not authorized to perform: dynamodb:PutItem/.test(e.message),
    );
  } finally {
    ddb.destroy();
  }
});

test("an unknown key and a wrong secret", async () => {
  const unknown = client({ accessKeyId: "AKIANOSUCHKEY0000000", secretAccessKey: "x" });
  const wrong = client({ accessKeyId: env.BASALT_TEST_USER_KEY, secretAccessKey: "not-the-secret" });
  try {
    await assert.rejects(unknown.send(new ListTablesCommand({})), (e) =>
      e.name === "UnrecognizedClientException" && e.message === "The security token included in the request is invalid.");
    await assert.rejects(wrong.send(new ListTablesCommand({})), (e) =>
      e.name === "InvalidSignatureException" && e.message.startsWith("The request signature we calculated does not match"));
  } finally {
    unknown.destroy();
    wrong.destroy();
  }
});
