// The console's connection to Basalt: the credentials it signs with (this
// tab's sessionStorage: with --auth=none any key works and names the account
// whose tables are shown; with --auth=sigv4 the root's key), and signed
// requests to the DynamoDB API and Basalt's own endpoints.
import { sign } from "./sigv4.js";

const STORE = "basalt-console-connection";

export function connection() {
  const saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
  return saved || { accessKeyId: "local", secretAccessKey: "local", region: "us-east-1" };
}

export function saveConnection(c) {
  sessionStorage.setItem(STORE, JSON.stringify(c));
}

async function signed(method, target, headers, body) {
  const c = connection();
  return fetch(target, {
    method,
    headers: await sign({ method, target, host: location.host, headers, body, ...c }),
    body: method === "GET" ? undefined : body,
    cache: "no-store",
  });
}

// A DynamoDB operation: its output, or an Error whose message is DynamoDB's
// "Type: message".
export async function ddb(operation, input) {
  const body = JSON.stringify(input);
  const resp = await signed("POST", "/", {
    "content-type": "application/x-amz-json-1.0",
    "x-amz-target": `DynamoDB_20120810.${operation}`,
  }, body);
  const text = await resp.text();
  let out;
  try {
    out = JSON.parse(text);
  } catch {
    throw new Error(`${operation}: HTTP ${resp.status}: ${text.slice(0, 200)}`);
  }
  if (!resp.ok) {
    const type = String(out.__type || "Error").split("#").pop();
    throw new Error(`${type}: ${out.message || out.Message || text}`);
  }
  return out;
}

// GET of one of Basalt's own paths (signed as the root's requests must be
// under --auth=sigv4): the response text, or an Error with the status.
export async function get(target) {
  const resp = await signed("GET", target, {}, "");
  const text = await resp.text();
  if (!resp.ok) {
    let message = text;
    try {
      const e = JSON.parse(text);
      message = e.message || e.error || text;
    } catch { /* not JSON */ }
    const err = new Error(`HTTP ${resp.status}: ${message}`);
    err.status = resp.status;
    throw err;
  }
  return text;
}

// Every table name of the account and region, following ListTables' pages.
export async function listTables() {
  const names = [];
  let start;
  do {
    const out = await ddb("ListTables", start ? { ExclusiveStartTableName: start } : {});
    names.push(...out.TableNames);
    start = out.LastEvaluatedTableName;
  } while (start);
  return names;
}
