// The tables every test file may use, as @shelf/jest-dynamodb's config lists them.
module.exports = {
  tables: [
    {
      TableName: "files",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    },
  ],
  options: ["-sharedDb"],
};
