// Jest globalSetup (and Vitest globalSetup) that runs Basalt in place of DynamoDB Local, following
// @shelf/jest-dynamodb's convention: jest-dynamodb-config.js (in the root dir, or $JEST_DYNAMODB_CONFIG) exports
// { tables: [CreateTable inputs] or an async function returning them, port: N (default: a free one),
//   options: [extra flags, DynamoDB Local's (-sharedDb, ...) or Basalt's] }. The endpoint is published as
// process.env.MOCK_DYNAMODB_ENDPOINT, which test workers inherit.
// The binary is $BASALT_BIN or `basalt` on PATH.
const { spawn } = require("node:child_process");
const net = require("node:net");
const path = require("node:path");
const { DynamoDBClient, CreateTableCommand } = require("@aws-sdk/client-dynamodb");

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitHealthy(url, child, log) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`basalt exited with ${child.exitCode}: ${log.join("")}`);
    try {
      const res = await fetch(url + "/");
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`basalt did not become healthy at ${url}`);
}

async function globalSetup(globalConfig = {}) {
  const root = (globalConfig && globalConfig.rootDir) || process.cwd();
  const configPath = process.env.JEST_DYNAMODB_CONFIG || path.resolve(root, "jest-dynamodb-config.js");
  const config = require(configPath);
  const tables = typeof config.tables === "function" ? await config.tables() : config.tables || [];
  const port = config.port || (await freePort());
  const binary = process.env.BASALT_BIN || "basalt";
  const args = ["-inMemory", "-port", String(port), ...(config.options || [])];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  child.stdout.on("data", (d) => log.push(String(d)));
  child.stderr.on("data", (d) => log.push(String(d)));
  const endpoint = `http://127.0.0.1:${port}`;
  globalThis.__BASALT__ = child;
  await waitHealthy(endpoint, child, log);
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  for (const table of tables) await client.send(new CreateTableCommand(table));
  client.destroy();
  process.env.MOCK_DYNAMODB_ENDPOINT = endpoint;
  return async () => stop(child); // Vitest calls the returned teardown; Jest runs global-teardown.js
}

function stop(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

module.exports = globalSetup;
module.exports.stop = stop;
