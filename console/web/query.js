// The query view (a key-condition builder over a table or one of its
// indexes) and the PartiQL editor (ExecuteStatement).
import { ddb, listTables } from "./api.js";
import { $, el, itemsTable, status } from "./dom.js";
import { keyCondition } from "./model.js";

const tables = new Map();  // name -> TableDescription, for the form's choices

function form() {
  return $("#query-form").elements;
}

// The key schema of the chosen table or index, and the types of its keys.
function chosenKeys() {
  const f = form();
  const table = tables.get(f.table.value);
  if (!table) return null;
  const index = [...(table.GlobalSecondaryIndexes || []), ...(table.LocalSecondaryIndexes || [])]
    .find((i) => i.IndexName === f.index.value);
  const schema = (index || table).KeySchema;
  const type = (name) => table.AttributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType;
  const pk = schema.find((k) => k.KeyType === "HASH").AttributeName;
  const sk = schema.find((k) => k.KeyType === "RANGE")?.AttributeName;
  return { table, index, pk, pkType: type(pk), sk, skType: sk && type(sk), keys: schema.map((k) => k.AttributeName) };
}

function request() {
  const f = form();
  const k = chosenKeys();
  if (!k) return null;
  const condition = keyCondition({
    partitionKey: k.pk, partitionType: k.pkType, partitionValue: f.pkValue.value,
    sortKey: k.sk, sortType: k.skType, operator: k.sk ? f.operator.value : "", value: f.value.value,
    value2: f.value2.value,
  });
  const req = { TableName: k.table.TableName, ...(k.index ? { IndexName: k.index.IndexName } : {}), ...condition };
  if (Number(f.limit.value) > 0) req.Limit = Number(f.limit.value);
  if (f.descending.checked) req.ScanIndexForward = false;
  return req;
}

function refresh() {
  const f = form();
  const k = chosenKeys();
  if (!k) return;
  $("#query-pk-label").textContent = `${k.pk} (${k.pkType}) =`;
  $("#query-sk-label").textContent = k.sk ? `${k.sk} (${k.skType})` : "No sort key";
  f.operator.disabled = !k.sk;
  f.value.disabled = !k.sk || !f.operator.value;
  f.value2.disabled = f.value.disabled || f.operator.value !== "between";
  $("#query-preview").textContent = JSON.stringify(request());
}

function chooseTable() {
  const f = form();
  const table = tables.get(f.table.value);
  const indexes = table ? [...(table.GlobalSecondaryIndexes || []), ...(table.LocalSecondaryIndexes || [])] : [];
  f.index.replaceChildren(el("option", { value: "", text: "(the table)" }),
    ...indexes.map((i) => el("option", { value: i.IndexName, text: i.IndexName })));
  refresh();
}

export async function showQuery() {
  const f = form();
  const chosen = f.table.value;
  tables.clear();
  for (const name of await listTables()) tables.set(name, (await ddb("DescribeTable", { TableName: name })).Table);
  f.table.replaceChildren(...[...tables.keys()].map((n) => el("option", { value: n, text: n })));
  if (tables.has(chosen)) f.table.value = chosen;
  chooseTable();
}

async function runQuery(event) {
  event.preventDefault();
  const req = request();
  if (!req) return;
  try {
    const out = await ddb("Query", req);
    const k = chosenKeys();
    $("#query-results").replaceChildren(
      el("p", { id: "query-count", text: `${out.Count} items (${out.ScannedCount} scanned)` +
        (out.LastEvaluatedKey ? `; more after ${JSON.stringify(out.LastEvaluatedKey)}` : "") }),
      itemsTable(out.Items, k.keys, null, "Query results"));
  } catch (e) {
    status(e.message, true);
    $("#query-results").replaceChildren(el("p", { class: "error", text: e.message }));
  }
}

export function showPartiql() {
  $("#partiql-statement").focus();
}

async function runStatement(event) {
  event?.preventDefault();
  const statement = $("#partiql-statement").value;
  try {
    const out = await ddb("ExecuteStatement", { Statement: statement });
    const items = out.Items || [];
    $("#partiql-results").replaceChildren(
      el("p", { id: "partiql-count", text: `${items.length} items` +
        (out.NextToken ? " (more: run again with NextToken)" : "") }),
      itemsTable(items, [], null, "Statement results"));
  } catch (e) {
    $("#partiql-results").replaceChildren(el("p", { class: "error", role: "alert", text: e.message }));
  }
}

export function setupQuery() {
  const f = form();
  f.table.addEventListener("change", chooseTable);
  $("#query-form").addEventListener("input", refresh);
  $("#query-form").addEventListener("change", refresh);
  $("#query-form").addEventListener("submit", runQuery);
  $("#partiql-form").addEventListener("submit", runStatement);
  $("#partiql-statement").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) runStatement(e);
  });
}
