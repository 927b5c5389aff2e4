// The charts of the page /console/report (Basalt renders its text; this adds
// the charts when JavaScript runs). The JSON is asked for the same
// namespace as the page (its ?access_key=, ?account=, ?region=).
import { drawReportCharts } from "./report-charts.js";

async function main() {
  const container = document.getElementById("report-charts");
  if (!container || document.getElementById("report-unavailable")) return;
  const params = new URLSearchParams(location.search);
  params.delete("fragment");
  params.set("format", "json");
  const resp = await fetch(`/basalt/report?${params}`, { cache: "no-store" });
  if (!resp.ok) return;  // the text above stands alone
  drawReportCharts(container, await resp.json());
}

window.addEventListener("DOMContentLoaded", main);
