// Live charts per table from GET /metrics: consumed read and write capacity
// per second, throttled requests per second, and the mean latency of the
// requests between two scrapes. Charts are uPlot's (an npm package Basalt
// serves from console/node_modules); each chart has its latest figures as
// text beside it.
import { get } from "./api.js";
import { $, el, status } from "./dom.js";
import { parsePrometheus, rates, tableTotals } from "./model.js";

const POLL_MS = 2000;
const POINTS = 90;  // three minutes

let timer = null;
let last = null;  // {time, totals}
const series = new Map();  // table -> {times, rcu, wcu, throttles, latency, chart, latest}

export function stopMetrics() {
  clearInterval(timer);
  timer = null;
}

function card(table) {
  const latest = el("p", { class: "latest muted" });
  const box = el("div", { class: "chart-area" });
  const section = el("section", { class: "chart", "data-table": table, "aria-label": `Metrics of ${table}` },
    el("h3", { text: table }), latest, box);
  $("#metrics-charts").append(section);
  const s = { times: [], rcu: [], wcu: [], throttles: [], latency: [], chart: null, latest };
  if (window.uPlot) {
    s.chart = new window.uPlot({
      width: 420, height: 200,
      scales: { x: { time: true }, ms: {} },
      series: [{}, { label: "RCU/s", stroke: "#2f5d8a" }, { label: "WCU/s", stroke: "#3c8a4a" },
        { label: "throttles/s", stroke: "#a3262a" }, { label: "latency ms", stroke: "#a46b00", scale: "ms" }],
      axes: [{}, {}, { scale: "ms", side: 1, grid: { show: false } }],
    }, [[], [], [], [], []], box);
  } else {
    box.append(el("p", { class: "muted", text: "Charts need uPlot (scripts/setup.sh installs it)." }));
  }
  series.set(table, s);
  return s;
}

async function poll() {
  let text;
  try {
    text = await get("/metrics");
  } catch (e) {
    status(`GET /metrics: ${e.message}`, true);
    return;
  }
  const now = Date.now() / 1000;
  const totals = tableTotals(parsePrometheus(text));
  if (last) {
    const r = rates(last.totals, totals, now - last.time);
    for (const [table, v] of Object.entries(r)) {
      const s = series.get(table) || card(table);
      s.times.push(now); s.rcu.push(v.rcu); s.wcu.push(v.wcu); s.throttles.push(v.throttles); s.latency.push(v.latencyMs);
      for (const a of [s.times, s.rcu, s.wcu, s.throttles, s.latency]) if (a.length > POINTS) a.shift();
      s.latest.textContent = `${v.rcu.toFixed(1)} RCU/s · ${v.wcu.toFixed(1)} WCU/s · ` +
        `${v.throttles.toFixed(1)} throttles/s · ` + (v.latencyMs === null ? "no requests" : `${v.latencyMs.toFixed(2)} ms`);
      if (s.chart) s.chart.setData([s.times, s.rcu, s.wcu, s.throttles, s.latency]);
    }
  }
  if (Object.keys(totals).length === 0 && series.size === 0) {
    $("#metrics-charts").replaceChildren(el("p", { class: "muted", id: "metrics-empty",
      text: "No table has had requests yet (or Basalt runs with --no-metrics)." }));
  } else {
    $("#metrics-empty")?.remove();
  }
  last = { time: now, totals };
}

export async function showMetrics() {
  stopMetrics();
  await poll();
  timer = setInterval(poll, POLL_MS);
}
