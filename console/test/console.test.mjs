// The console in headless Chromium (puppeteer-core driving Debian's
// chromium), against Basalts that tests/e2e/test_console.py starts:
//   CONSOLE_URL        a Basalt with --auth=none
//   CONSOLE_SIGV4_URL  a Basalt with --auth=sigv4, whose root is
//                      CONSOLE_ROOT_KEY / CONSOLE_ROOT_SECRET
//   CHROMIUM           the browser (default /usr/bin/chromium), or
//   FIREFOX            Firefox's binary, to run the same steps in Firefox
//   SCREENSHOTS        where the screenshots go (one PNG per step)
// Each step checks the page's elements (DOM assertions) and saves a screenshot.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import puppeteer from "puppeteer-core";

const BASE = process.env.CONSOLE_URL;
const SIGV4_URL = process.env.CONSOLE_SIGV4_URL;
const SHOTS = process.env.SCREENSHOTS || "console-screenshots";
const FIREFOX = process.env.FIREFOX;  // when set, Firefox (WebDriver BiDi) instead of Chromium
mkdirSync(SHOTS, { recursive: true });

let browser;
let page;
const pageErrors = [];  // uncaught errors of the console's scripts: none expected

before(async () => {
  browser = await puppeteer.launch(FIREFOX
    ? { browser: "firefox", executablePath: FIREFOX, headless: true }
    : { executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true,
      // insecure.console.test is 127.0.0.1 under a name that is no secure context (no WebCrypto there)
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP insecure.console.test 127.0.0.1"] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on("dialog", (d) => d.accept());  // the confirm() before deleting
  page.on("pageerror", (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
});

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

let loads = 0;

// Loads the console afresh (a new query string: not a same-document
// navigation) at the view of `hash`, and waits for the view to be drawn.
async function view(base, hash) {
  await page.goto(`${base}/console/?load=${++loads}${hash}`);
  await page.waitForSelector(`body[data-ready="${hash.slice(1).split("/")[0]}"]`);
}

const text = (selector) => page.$eval(selector, (e) => e.textContent.trim());

async function fill(selector, value) {
  await page.$eval(selector, (e, v) => { e.value = v; e.dispatchEvent(new Event("input", { bubbles: true })); }, value);
}

test("the console lists, creates, edits, queries and reports", { skip: !BASE && "CONSOLE_URL is not set" }, async () => {
  await view(BASE, "#tables");
  assert.equal(await text("#tables-list tbody"), "No tables yet: create one below.");
  assert.equal(await page.$eval("a.skip", (e) => e.getAttribute("href")), "#main");
  await shot("01-tables-empty");

  // The keyboard reaches everything in order: the skip link, then the sections.
  const focused = () => page.evaluate(() => document.activeElement.textContent.trim() ||
    document.activeElement.getAttribute("name"));
  const order = [];
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press("Tab");
    order.push(await focused());
  }
  assert.deepEqual(order, ["Skip to content", "Tables", "Query", "PartiQL", "Metrics", "Report", "Connection"]);

  // Create a table from the keyboard alone: type, Tab between fields, Enter submits.
  await page.focus("#create-table input[name=name]");
  await page.keyboard.type("Music");
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "pk");
  await page.keyboard.type("Artist");
  await page.keyboard.press("Tab");  // the partition key's type (S)
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "sk");
  await page.keyboard.type("Song");
  await page.keyboard.press("Enter");
  await page.waitForSelector('body[data-ready="table"]');
  assert.equal(await text("#table-title"), "Table Music");
  const details = await page.$$eval("#table-details dt, #table-details dd", (es) => es.map((e) => e.textContent));
  assert.deepEqual(details.slice(0, 6), ["Status", "ACTIVE", "Partition key", "Artist (S)", "Sort key", "Song (S)"]);
  assert.ok(details.includes("Time to live") && details.includes("Stream"));
  await shot("02-table-created");

  // An item that is not DynamoDB JSON is refused before it is sent.
  await fill("#item-json", '{"Artist": {"S": "Nina"}, "Song": {"S": "Sinnerman"}, "Year": {"N": "nineteen"}}');
  await page.click("#put-item button[type=submit]");
  assert.equal(await text("#item-error"), 'Year.N: expected a number as a string, e.g. "42"');
  assert.equal(await page.$eval("#item-json", (e) => e.getAttribute("aria-invalid")), "true");
  await shot("03-item-invalid");

  // Put two items.
  for (const [song, year] of [["Sinnerman", "1965"], ["Feeling Good", "1965"]]) {
    await fill("#item-json", JSON.stringify({ Artist: { S: "Nina" }, Song: { S: song }, Year: { N: year } }));
    await page.click("#put-item button[type=submit]");
    await page.waitForFunction((s) => document.querySelector("#items")?.textContent.includes(s), {}, song);
  }
  assert.equal(await text("#item-error"), "");
  assert.deepEqual(await page.$$eval("#items thead th", (es) => es.map((e) => e.textContent)),
    ["Artist", "Song", "Year", "Actions"]);
  assert.equal(await page.$$eval("#items tbody tr", (rows) => rows.length), 2);
  assert.match(await text("#scan-info"), /^2 items on this page \(2 scanned\); the end of the table$/);
  await shot("04-items");

  // Query with the key-condition builder.
  await view(BASE, "#query");
  await page.select("#query-form select[name=table]", "Music");
  await fill("#query-form input[name=pkValue]", "Nina");
  await page.select("#query-form select[name=operator]", "begins_with");
  await fill("#query-form input[name=value]", "Sin");
  const preview = JSON.parse(await text("#query-preview"));
  assert.equal(preview.KeyConditionExpression, "#pk = :pk AND begins_with(#sk, :sk)");
  assert.deepEqual(preview.ExpressionAttributeValues, { ":pk": { S: "Nina" }, ":sk": { S: "Sin" } });
  await page.click("#query-form button[type=submit]");
  await page.waitForSelector("#query-count");
  assert.equal(await text("#query-count"), "1 items (1 scanned)");
  assert.match(await text("#query-results tbody"), /Sinnerman/);
  await shot("05-query");

  // PartiQL, driven from the keyboard (Ctrl+Enter).
  await view(BASE, "#partiql");
  await fill("#partiql-statement", "SELECT Song FROM \"Music\" WHERE Artist = 'Nina'");
  await page.focus("#partiql-statement");
  await page.keyboard.down("Control");
  await page.keyboard.press("Enter");
  await page.keyboard.up("Control");
  await page.waitForSelector("#partiql-count");
  assert.equal(await text("#partiql-count"), "2 items");
  assert.deepEqual(await page.$$eval("#partiql-results tbody td", (es) => es.map((e) => e.textContent).sort()),
    ["Feeling Good", "Sinnerman"]);
  await shot("06-partiql");

  // Live metrics: a chart for Music after two scrapes.
  await view(BASE, "#metrics");
  await page.waitForSelector('#metrics-charts .chart[data-table="Music"] canvas', { timeout: 15000 });
  // writes while the page polls show as write capacity per second and a latency
  await page.evaluate(async () => {
    const { ddb } = await import("/console/api.js");
    for (let i = 0; i < 20; i++) {
      await ddb("PutItem", { TableName: "Music", Item: { Artist: { S: "Load" }, Song: { S: `s${i}` } } });
    }
  });
  await page.waitForFunction(() => /[1-9][0-9.]* WCU\/s .* ms$/.test(
    document.querySelector('#metrics-charts .chart[data-table="Music"] .latest').textContent), { timeout: 15000 });
  await shot("07-metrics");

  // The report: this server's text (or the note that it has none), in the
  // console and as a page read without JavaScript.
  await view(BASE, "#report");
  assert.equal(await page.$eval("#report-body article", (e) => e.id), "access-pattern-report");
  assert.ok(await page.$eval("#report-body h1", (e) => e.textContent.length > 0));
  if (await page.$("#report-unavailable")) {
    assert.match(await text("#report-charts-here"), /not available/);
  } else {  // a server that records access patterns: its charts are drawn
    await page.waitForSelector("#report-charts-here #cost-by-pattern");
  }
  await shot("08-report");

  // The charts from a report of the agreed shape (console/test/fixtures/report.json),
  // given to the page in place of GET /basalt/report?format=json.
  const fixture = readFileSync(new globalThis.URL("fixtures/report.json", import.meta.url), "utf8");
  await page.setRequestInterception(true);
  const intercept = (req) => {
    if (req.url().includes("/basalt/report?format=json")) {
      req.respond({ status: 200, contentType: "application/json", body: fixture });
    } else {
      req.continue();
    }
  };
  page.on("request", intercept);
  await view(BASE, "#report");
  // most expensive first, one bar per pattern
  assert.deepEqual(await page.$$eval("#cost-by-pattern rect", (rs) => rs.map((r) => r.dataset.pattern)),
    ["AP2", "AP3", "AP1"]);
  assert.deepEqual(await page.$$eval("#cost-by-pattern svg text", (ts) => ts.map((t) => t.textContent)).then(
    (t) => t.filter((x) => x.startsWith("$"))), ["$97.20", "$6.48", "$3.24"]);
  // the heat map: USER#42 reads 2,700 RCU/s of the partition's 3,000 (90%: the hottest class)
  const heat = await page.$$eval('.heatmap[data-table="Shop"] tbody tr',
    (rows) => rows.map((r) => [r.className, r.querySelector("th").textContent, r.cells[4].textContent]));
  assert.deepEqual(heat, [["h4", "USER#42", "90.0%"], ["h1", "USER#7", "15.0%"], ["h0", "<script>alert(1)</script>", "0.0%"]]);
  assert.ok(await page.$('.chart[aria-label="Reads and writes per second of Shop"] canvas'));
  await shot("08b-report-charts");
  page.off("request", intercept);
  await page.setRequestInterception(false);
  // (Firefox's WebDriver BiDi cannot turn scripts off: there the page is read with them.)
  if (!FIREFOX) await page.setJavaScriptEnabled(false);
  await page.goto(`${BASE}/console/report?access_key=local`);
  assert.equal(await page.$eval("article", (e) => e.id), "access-pattern-report");
  assert.ok(await page.$eval("article h1", (e) => e.textContent.length > 0));
  await shot("09-report-without-javascript");
  if (!FIREFOX) await page.setJavaScriptEnabled(true);

  // Delete an item, then the table.
  await view(BASE, "#table/Music");
  const rows = await page.$$eval("#items tbody tr", (r) => r.length);
  assert.equal(rows, 22);  // the two songs and the twenty written while the metrics page polled
  await page.click('#items button[aria-label^="Delete item"]');
  await page.waitForFunction((n) => document.querySelectorAll("#items tbody tr").length === n, {}, rows - 1);
  await page.click("#delete-table");
  await page.waitForSelector('body[data-ready="tables"]');
  assert.match(await text("#status"), /Deleted table Music/);
  await shot("10-table-deleted");
  assert.deepEqual(pageErrors, []);
});

test("under --auth=sigv4 the console signs with the root's key", { skip: !SIGV4_URL && "CONSOLE_SIGV4_URL is not set" },
  async () => {
    // The static files load without a signature; the data does not.
    await view(SIGV4_URL, "#tables");
    assert.match(await text("#status"), /^(MissingAuthenticationToken|UnrecognizedClientException|InvalidSignatureException)/);
    const unsigned = await page.evaluate(async () => {
      const r = await fetch("/console/report");
      return `${r.status} ${await r.text()}`;
    });
    assert.match(unsigned, /^400 .*MissingAuthenticationToken/);
    await shot("11-sigv4-refused");

    await view(SIGV4_URL, "#connection");
    await fill("#connection-form input[name=accessKeyId]", process.env.CONSOLE_ROOT_KEY);
    await fill("#connection-form input[name=secretAccessKey]", process.env.CONSOLE_ROOT_SECRET);
    await page.click("#connection-form button[type=submit]");
    await page.waitForSelector('body[data-ready="tables"]');
    assert.equal(await text("#tables-list tbody"), "No tables yet: create one below.");
    assert.doesNotMatch(page.url(), /secret|ROOT/i);
    await fill("#create-table input[name=name]", "Signed");
    await fill("#create-table input[name=pk]", "id");
    await page.click("#create-table button[type=submit]");
    await page.waitForSelector('body[data-ready="table"]');
    assert.equal(await text("#table-title"), "Table Signed");
    await view(SIGV4_URL, "#report");
    assert.equal(await page.$eval("#report-body article", (e) => e.id), "access-pattern-report");
    await shot("12-sigv4-signed");

    if (!FIREFOX) {
      // Over plain HTTP to a host that is not this machine's loopback name, browsers give no WebCrypto:
      // the console signs with its own SHA-256, and the root's requests still verify.
      const insecure = SIGV4_URL.replace("127.0.0.1", "insecure.console.test");
      await page.goto(`${insecure}/console/#connection`);
      await page.waitForSelector('body[data-ready="connection"]');
      assert.deepEqual(await page.evaluate(() => [window.isSecureContext, Boolean(window.crypto.subtle)]),
        [false, false]);
      await fill("#connection-form input[name=accessKeyId]", process.env.CONSOLE_ROOT_KEY);
      await fill("#connection-form input[name=secretAccessKey]", process.env.CONSOLE_ROOT_SECRET);
      await page.click("#connection-form button[type=submit]");
      await page.waitForSelector('body[data-ready="tables"]');
      assert.match(await text("#tables-list tbody"), /^Signed/);
      await shot("13-sigv4-without-webcrypto");
    }
    assert.deepEqual(pageErrors, []);
  });
