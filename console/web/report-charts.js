// The access-pattern report's charts, drawn from GET /basalt/report?format=json
// beside the text Basalt renders: cost by pattern (bars), the heat of each
// table's hottest partition keys against DynamoDB's per-partition limits, and
// each table's reads and writes per second (uPlot, when it is loaded).
import { el } from "./dom.js";

const PARTITION_RCU = 3000;  // per-partition limits, per second
const PARTITION_WCU = 1000;
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const money = (v) => `$${Number(v || 0).toFixed(2)}`;

export function patternLabel(p) {
  return `${p.id} ${p.operation} ${p.table}${p.index ? `/${p.index}` : ""}`;
}

// Horizontal bars, most expensive pattern first, with the figures as text
// (and as a table for screen readers).
export function costByPattern(report) {
  const patterns = [...(report.patterns || [])].sort((a, b) => (b.monthly_cost_usd || 0) - (a.monthly_cost_usd || 0));
  const section = el("section", { class: "chart", id: "cost-by-pattern", "aria-labelledby": "cost-title" },
    el("h3", { id: "cost-title", text: "Monthly cost by access pattern" }));
  if (patterns.length === 0) {
    section.append(el("p", { class: "muted", text: "No access patterns recorded yet." }));
    return section;
  }
  const max = Math.max(...patterns.map((p) => p.monthly_cost_usd || 0), 1e-9);
  const rowHeight = 22, labelWidth = 200, barWidth = 150;
  const chart = svg("svg", { class: "bars", width: labelWidth + barWidth + 70, height: patterns.length * rowHeight + 4,
    role: "img", "aria-label": "Monthly cost by access pattern" });
  patterns.forEach((p, i) => {
    const y = i * rowHeight + 2;
    const w = Math.max(1, ((p.monthly_cost_usd || 0) / max) * barWidth);
    chart.append(svg("text", { x: 0, y: y + 15 }, patternLabel(p).slice(0, 32)),
      svg("rect", { x: labelWidth, y, width: w, height: rowHeight - 6, "data-pattern": p.id }),
      svg("text", { x: labelWidth + w + 6, y: y + 15 }, money(p.monthly_cost_usd)));
  });
  section.append(chart, el("table", { class: "visually-hidden" },
    el("caption", { text: "Monthly cost by access pattern" }),
    el("tbody", {}, patterns.map((p) => el("tr", {}, el("th", { scope: "row", text: patternLabel(p) }),
      el("td", { text: money(p.monthly_cost_usd) }), el("td", { text: `${p.count} requests` }))))));
  return section;
}

// The share of the partition's limit a key uses: the larger of its reads
// against 3,000 RCU/s and its writes against 1,000 WCU/s.
export function partitionLoad(key) {
  return Math.max((key.rcu_per_s || 0) / PARTITION_RCU, (key.wcu_per_s || 0) / PARTITION_WCU);
}

// One of five heat classes: under 10%, 25%, 50%, 80% of the limit, and above.
export function heatClass(load) {
  return `h${[0.1, 0.25, 0.5, 0.8].filter((t) => load >= t).length}`;
}

export function heatMap(table) {
  const name = table.index ? `${table.name}/${table.index}` : table.name;
  const keys = table.hot_keys || [];
  const section = el("section", { class: "chart heatmap", "data-table": name, "aria-label": `Partition heat of ${name}` },
    el("h3", { text: `Partition heat: ${name}` }));
  if (keys.length === 0) {
    section.append(el("p", { class: "muted", text: "No hot keys recorded." }));
    return section;
  }
  section.append(el("table", { class: "heat" },
    el("thead", {}, el("tr", {}, ["Partition key", "req/s", "RCU/s", "WCU/s", "of the limit", "share"]
      .map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, keys.map((k) => {
      const load = partitionLoad(k);
      return el("tr", { class: heatClass(load) },
        el("th", { scope: "row" }, el("code", { text: k.key })), el("td", { text: Number(k.rps || 0).toFixed(1) }),
        el("td", { text: Number(k.rcu_per_s || 0).toFixed(1) }), el("td", { text: Number(k.wcu_per_s || 0).toFixed(1) }),
        el("td", { text: `${(load * 100).toFixed(1)}%` }), el("td", { text: `${(100 * (k.share || 0)).toFixed(1)}%` }));
    }))));
  return section;
}

function throughput(table) {
  const points = table.per_second || [];
  if (!window.uPlot || points.length < 2) return null;
  const box = el("section", { class: "chart", "aria-label": `Reads and writes per second of ${table.name}` },
    el("h3", { text: `Reads and writes per second: ${table.name}${table.index ? `/${table.index}` : ""}` }));
  new window.uPlot({
    width: 420, height: 180, scales: { x: { time: true } },
    series: [{}, { label: "reads", stroke: "#2f5d8a" }, { label: "writes", stroke: "#3c8a4a" }],
  }, [points.map((p) => p.t), points.map((p) => p.reads), points.map((p) => p.writes)], box);
  return box;
}

// All of the above into `container`.
export function drawReportCharts(container, report) {
  const charts = el("div", { class: "charts" }, costByPattern(report),
    ...(report.tables || []).map(heatMap), ...(report.tables || []).map(throughput).filter(Boolean));
  container.replaceChildren(el("h2", { text: "Charts" }), charts);
}
