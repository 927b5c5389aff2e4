// A test as written for @shelf/jest-dynamodb: the endpoint comes from MOCK_DYNAMODB_ENDPOINT.
const { DynamoDBClient, PutItemCommand, GetItemCommand, ListTablesCommand } = require("@aws-sdk/client-dynamodb");

const client = new DynamoDBClient({
  endpoint: process.env.MOCK_DYNAMODB_ENDPOINT,
  region: "local",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

afterAll(() => client.destroy());

test("the configured table exists", async () => {
  const { TableNames } = await client.send(new ListTablesCommand({}));
  expect(TableNames).toContain("files");
});

test("items round-trip", async () => {
  await client.send(new PutItemCommand({ TableName: "files", Item: { id: { S: "1" }, name: { S: "a.txt" } } }));
  const { Item } = await client.send(new GetItemCommand({ TableName: "files", Key: { id: { S: "1" } } }));
  expect(Item).toEqual({ id: { S: "1" }, name: { S: "a.txt" } });
});
