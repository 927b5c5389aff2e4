// The report view: the text Basalt renders from the access-pattern report
// (the same HTML as the page /console/report, which reads without
// JavaScript), then its charts from the JSON form.
import { connection, get } from "./api.js";
import { $, el } from "./dom.js";
import { drawReportCharts } from "./report-charts.js";

export async function showReport() {
  const key = encodeURIComponent(connection().accessKeyId);
  $("#view-report a[href^='/console/report']").setAttribute("href", `/console/report?access_key=${key}`);
  // Basalt escapes every character of the report's text: this HTML holds
  // only the markup its renderer writes (and the page's CSP runs no inline script).
  $("#report-body").innerHTML = await get("/console/report?fragment=1");
  const charts = $("#report-charts-here");
  let report;
  try {
    report = JSON.parse(await get("/basalt/report?format=json"));
  } catch (e) {
    charts.replaceChildren(el("p", { class: "muted", text: `No charts: the report's JSON is not available (${e.message}).` }));
    return;
  }
  drawReportCharts(charts, report);
}
