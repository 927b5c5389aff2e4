// The console: one page whose views are chosen by the URL's fragment
// (#tables, #table/NAME, #query, #partiql, #metrics, #report, #connection).
import { connection, ddb, listTables, saveConnection } from "./api.js";
import { $, el, itemsTable, newView, status } from "./dom.js";
import { keyOf, parseItem } from "./model.js";
import { showMetrics, stopMetrics } from "./metrics.js";
import { showQuery, showPartiql, setupQuery } from "./query.js";
import { showReport } from "./report.js";

async function describe(name) {
  const [{ Table }, ttl] = await Promise.all([
    ddb("DescribeTable", { TableName: name }),
    ddb("DescribeTimeToLive", { TableName: name }).catch(() => null),
  ]);
  return { table: Table, ttl: ttl && ttl.TimeToLiveDescription };
}

const keyName = (schema, type) => schema.find((k) => k.KeyType === type)?.AttributeName;

function keyText(table, type) {
  const name = keyName(table.KeySchema, type);
  if (!name) return "";
  const t = table.AttributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType;
  return `${name} (${t})`;
}

async function showTables() {
  const body = $("#tables-list tbody");
  body.replaceChildren();
  const names = await listTables();
  if (names.length === 0) {
    body.append(el("tr", {}, el("td", { colspan: 6, text: "No tables yet: create one below." })));
  }
  for (const name of names) {
    const { table } = await describe(name);
    const indexes = [...(table.GlobalSecondaryIndexes || []), ...(table.LocalSecondaryIndexes || [])];
    body.append(el("tr", {},
      el("td", {}, el("a", { href: `#table/${encodeURIComponent(name)}`, text: name })),
      el("td", { text: table.TableStatus }),
      el("td", { text: keyText(table, "HASH") }),
      el("td", { text: keyText(table, "RANGE") }),
      el("td", { text: indexes.map((i) => i.IndexName).join(", ") }),
      el("td", { text: table.ItemCount ?? "" })));
  }
}

async function createTable(event) {
  event.preventDefault();
  const f = new FormData(event.target);
  const defs = [{ AttributeName: f.get("pk"), AttributeType: f.get("pkType") }];
  const schema = [{ AttributeName: f.get("pk"), KeyType: "HASH" }];
  if (f.get("sk")) {
    defs.push({ AttributeName: f.get("sk"), AttributeType: f.get("skType") });
    schema.push({ AttributeName: f.get("sk"), KeyType: "RANGE" });
  }
  try {
    await ddb("CreateTable", { TableName: f.get("name"), AttributeDefinitions: defs, KeySchema: schema,
      BillingMode: "PAY_PER_REQUEST" });
    status(`Created table ${f.get("name")}.`, false, true);
    location.hash = `#table/${encodeURIComponent(f.get("name"))}`;
  } catch (e) {
    status(e.message, true);
  }
}

// The table view: its definition, and its items a page at a time.
const current = { table: null, pages: [], next: null };

function indexList(table) {
  const rows = [...(table.GlobalSecondaryIndexes || []).map((i) => ["global", i]),
    ...(table.LocalSecondaryIndexes || []).map((i) => ["local", i])];
  if (rows.length === 0) return el("p", { class: "muted", text: "No secondary indexes." });
  return el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, ["Index", "Kind", "Partition key", "Sort key", "Projection", "Status"]
      .map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows.map(([kind, i]) => el("tr", {},
      el("td", { text: i.IndexName }), el("td", { text: kind }),
      el("td", { text: keyName(i.KeySchema, "HASH") }), el("td", { text: keyName(i.KeySchema, "RANGE") || "" }),
      el("td", { text: i.Projection.ProjectionType + (i.Projection.NonKeyAttributes
        ? ` (${i.Projection.NonKeyAttributes.join(", ")})` : "") }),
      el("td", { text: i.IndexStatus || "" })))));
}

async function showTable(name) {
  const { table, ttl } = await describe(name);
  current.table = table;
  $("#table-title").textContent = `Table ${name}`;
  const stream = table.StreamSpecification?.StreamEnabled ? `on (${table.StreamSpecification.StreamViewType})` : "off";
  const ttlText = ttl && ttl.TimeToLiveStatus !== "DISABLED" ? `${ttl.TimeToLiveStatus} on ${ttl.AttributeName}`
    : "off";
  const details = [["Status", table.TableStatus], ["Partition key", keyText(table, "HASH")],
    ["Sort key", keyText(table, "RANGE") || "none"],
    ["Billing", table.BillingModeSummary?.BillingMode || "PROVISIONED"],
    ["Items", table.ItemCount], ["Size", `${table.TableSizeBytes} bytes`], ["Stream", stream], ["Time to live", ttlText],
    ["ARN", table.TableArn]];
  $("#table-details").replaceChildren(...details.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  $("#table-indexes").replaceChildren(indexList(table));
  $("#item-json").value = JSON.stringify(Object.fromEntries(table.KeySchema.map((k) => [k.AttributeName,
    { [table.AttributeDefinitions.find((d) => d.AttributeName === k.AttributeName).AttributeType]: "" }])), null, 2);
  $("#item-error").textContent = "";
  await scan(true);
}

async function scan(first) {
  const table = current.table;
  if (first) current.next = null;
  const out = await ddb("Scan", { TableName: table.TableName, Limit: 25,
    ...(current.next ? { ExclusiveStartKey: current.next } : {}) });
  current.next = out.LastEvaluatedKey || null;
  $("#scan-next").disabled = !current.next;
  $("#scan-info").textContent = `${out.Count} items on this page (${out.ScannedCount} scanned)` +
    (current.next ? "; more follow" : "; the end of the table");
  const keys = table.KeySchema.map((k) => k.AttributeName);
  $("#items").replaceChildren(itemsTable(out.Items, keys, (item) => [
    el("button", { type: "button", class: "secondary", onclick: () => editItem(item), text: "Edit" }), " ",
    el("button", { type: "button", class: "danger", onclick: () => deleteItem(item), text: "Delete",
      "aria-label": `Delete item ${keys.map((k) => JSON.stringify(item[k])).join(" ")}` }),
  ], `Items of ${table.TableName}`));
}

function editItem(item) {
  $("#item-json").value = JSON.stringify(item, null, 2);
  $("#item-json").focus();
}

async function deleteItem(item) {
  const key = keyOf(item, current.table.KeySchema);
  if (!confirm(`Delete the item ${JSON.stringify(key)}?`)) return;
  try {
    await ddb("DeleteItem", { TableName: current.table.TableName, Key: key });
    status("Deleted the item.");
    await scan(true);
  } catch (e) {
    status(e.message, true);
  }
}

async function putItem(event) {
  event.preventDefault();
  const error = $("#item-error");
  let item;
  try {
    item = parseItem($("#item-json").value, current.table);
  } catch (e) {
    error.textContent = e.message;
    $("#item-json").setAttribute("aria-invalid", "true");
    return;
  }
  $("#item-json").removeAttribute("aria-invalid");
  error.textContent = "";
  try {
    await ddb("PutItem", { TableName: current.table.TableName, Item: item });
    status("Put the item.");
    await scan(true);
  } catch (e) {
    error.textContent = e.message;
  }
}

async function deleteTable() {
  const name = current.table.TableName;
  if (!confirm(`Delete the table ${name} and all its items?`)) return;
  try {
    await ddb("DeleteTable", { TableName: name });
    status(`Deleted table ${name}.`, false, true);
    location.hash = "#tables";
  } catch (e) {
    status(e.message, true);
  }
}

function showConnection() {
  const c = connection();
  const f = $("#connection-form");
  for (const k of ["accessKeyId", "secretAccessKey", "region"]) f.elements[k].value = c[k];
}

function whoami() {
  const c = connection();
  $("#whoami").textContent = `${c.accessKeyId} · ${c.region}`;
}

const views = {
  tables: showTables, table: showTable, query: showQuery, partiql: showPartiql, metrics: showMetrics,
  report: showReport, connection: showConnection,
};

async function route() {
  const [view, arg] = (location.hash.slice(1) || "tables").split("/");
  const name = views[view] ? view : "tables";
  stopMetrics();
  newView();
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== `view-${name}`;
  for (const a of document.querySelectorAll(".top nav a")) {
    const here = a.getAttribute("href") === `#${name === "table" ? "tables" : name}`;
    if (here) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  document.body.dataset.view = name;
  document.body.dataset.ready = "";
  try {
    await views[name](arg && decodeURIComponent(arg));
  } catch (e) {
    const refused = /^(UnrecognizedClient|InvalidSignature|MissingAuthenticationToken|AccessDenied|IncompleteSignature)/;
    status(e.message + (refused.test(e.message) ? " (with --auth=sigv4, enter the root's key on the Connection page)"
      : ""), true);
  }
  document.body.dataset.ready = name;
}

$("#create-table").addEventListener("submit", createTable);
$("#put-item").addEventListener("submit", putItem);
$("#delete-table").addEventListener("click", deleteTable);
$("#scan-first").addEventListener("click", () => scan(true).catch((e) => status(e.message, true)));
$("#scan-next").addEventListener("click", () => scan(false).catch((e) => status(e.message, true)));
$("#connection-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const f = new FormData(event.target);
  saveConnection({ accessKeyId: f.get("accessKeyId"), secretAccessKey: f.get("secretAccessKey"),
    region: f.get("region") });
  whoami();
  status("Saved: requests are signed with this key.", false, true);
  location.hash = "#tables";
});
setupQuery();
whoami();
window.addEventListener("hashchange", route);
route();
