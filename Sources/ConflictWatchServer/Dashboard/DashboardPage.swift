import Foundation

/// `GET /`: the live dashboard, one self-contained page (no external assets; the server's CSP
/// forbids any other host). Every few seconds it reads the API and redraws the tables and the
/// charts. Values reach the page through `textContent` and SVG attributes only, never as markup,
/// since routes, clients and reasons come from the traffic. With a token configured, the page
/// takes it from `#token=…` (a fragment never reaches the server or its logs) or asks for it,
/// and keeps it in the tab's session storage.
enum DashboardPage {
    static let html = page(embedded: nil)

    /// The page; with `embedded` (JSON made safe by `ReportPage.scriptSafe`) it is the static
    /// report: the data sits in the page, nothing is fetched, and a CSP forbids any network.
    static func page(embedded: String?) -> String {
        guard let embedded else { return template }
        return template
            .replacingOccurrences(of: "<meta charset=\"utf-8\">", with: """
                <meta charset="utf-8">
                <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
                """)
            .replacingOccurrences(of: "<title>conflictwatch</title>", with: "<title>conflictwatch report</title>")
            .replacingOccurrences(of: "<script>\n\"use strict\";", with: "<script id=\"cw-data\" type=\"application/json\">\(embedded)</script>\n<script>\n\"use strict\";")
    }

    private static let template = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>conflictwatch</title>
<style>
  :root { --fg:#1d2330; --muted:#6b7385; --line:#e3e6ec; --accent:#c2410c; --bar:#2563eb; --bg:#fafbfc; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; align-items: baseline; gap: 1rem; padding: .8rem 1.2rem; border-bottom: 1px solid var(--line); background: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; }
  #state { color: var(--muted); font-size: .85rem; }
  #state.bad { color: var(--accent); }
  main { padding: 1rem 1.2rem; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; overflow-x: auto; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: .95rem; margin: 0 0 .6rem; }
  table { border-collapse: collapse; width: 100%; font-size: .85rem; }
  th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.reason { white-space: normal; min-width: 18rem; color: var(--muted); }
  .sev-critical { color: #b91c1c; font-weight: 600; } .sev-high { color: #c2410c; font-weight: 600; }
  .sev-medium { color: #a16207; } .sev-low { color: var(--muted); }
  .empty { color: var(--muted); font-style: italic; }
  svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
  svg .axis { stroke: var(--line); }
  #login { display: none; padding: 1rem 1.2rem; }
  #login input { font: inherit; padding: .3rem .5rem; width: 22rem; }
</style>
</head>
<body>
<header><h1>conflictwatch</h1><span id="state">loading…</span></header>
<form id="login"><label>API token <input id="token" type="password" autocomplete="off"></label> <button>Use</button></form>
<main>
  <section><h2>Conflicts per route</h2><div id="routeChart"></div></section>
  <section><h2 id="timeTitle">Conflicts over time (top routes)</h2><div id="timeChart"></div></section>
  <section class="wide"><h2>Alert timeline</h2><div id="timeline"></div></section>
  <section class="wide"><h2 id="alertsTitle">Alerts (open, and from the last 24 hours)</h2><div id="alerts"></div></section>
  <section><h2>Hot spots</h2><div id="hotspots"></div></section>
  <section><h2>Routes</h2><div id="routes"></div></section>
</main>
<script>
"use strict";
const REFRESH_MS = 5000, SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#2563eb", "#c2410c", "#15803d", "#7c3aed", "#be185d"];

(function takeTokenFromFragment() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem("cwToken", decodeURIComponent(m[1])); window.history.replaceState(null, "", location.pathname); }
})();

document.getElementById("login").addEventListener("submit", ev => {
  ev.preventDefault();
  sessionStorage.setItem("cwToken", document.getElementById("token").value);
  document.getElementById("login").style.display = "none";
  refresh();
});

async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem("cwToken");
  if (token) headers["Authorization"] = "Bearer " + token;
  const r = await fetch(path, { headers, cache: "no-store" });
  if (r.status === 401) { document.getElementById("login").style.display = "block"; throw new Error("this server needs an API token"); }
  const body = await r.json();
  if (!r.ok) throw new Error(body && body.error ? body.error.message : ("HTTP " + r.status));
  return body;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function table(target, columns, rows) {
  const box = document.getElementById(target);
  box.replaceChildren();
  if (rows.length === 0) { box.append(el("p", "nothing yet", "empty")); return; }
  const t = el("table"), head = el("tr");
  for (const c of columns) head.append(el("th", c.title, c.num ? "num" : ""));
  t.append(head);
  for (const row of rows) {
    const tr = el("tr");
    for (const c of columns) {
      const v = c.value(row);
      tr.append(el("td", v, (c.num ? "num " : "") + (c.cls ? c.cls(row) : "")));
    }
    t.append(tr);
  }
  box.append(t);
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function barChart(target, items) {
  const box = document.getElementById(target);
  box.replaceChildren();
  if (items.length === 0) { box.append(el("p", "no conflicts stored", "empty")); return; }
  const width = 560, label = 220, row = 22, height = items.length * row + 8;
  const max = Math.max(1, ...items.map(i => i.value));
  const s = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  items.forEach((item, i) => {
    const y = 4 + i * row, w = Math.max(1, (width - label - 60) * item.value / max);
    s.append(svg("text", { x: label - 6, y: y + 14, "text-anchor": "end" }, item.label.length > 34 ? item.label.slice(0, 33) + "…" : item.label));
    s.append(svg("rect", { x: label, y: y + 3, width: w, height: row - 8, fill: "var(--bar)", rx: 2 }));
    s.append(svg("text", { x: label + w + 4, y: y + 14 }, item.value));
  });
  box.append(s);
}

// One line per route from /api/v1/series: conflicts per step over the stored traffic time.
function lineChart(target, data) {
  const box = document.getElementById(target);
  box.replaceChildren();
  document.getElementById("timeTitle").textContent =
    `Conflicts over time (top routes, per ${data.step_seconds >= 3600 ? data.step_seconds / 3600 + " h" : data.step_seconds / 60 + " min"})`;
  const routes = data.routes.filter(r => r.conflicts > 0).slice(0, COLORS.length);
  if (routes.length === 0) { box.append(el("p", "no conflicts stored in this window", "empty")); return; }
  const n = routes[0].points.length;
  const width = 560, height = 200, left = 40, bottom = 20, top = 8;
  const max = Math.max(1, ...routes.flatMap(r => r.points.map(p => p.conflicts)));
  const s = svg("svg", { viewBox: `0 0 ${width} ${height + 18 * routes.length}`, width: "100%", role: "img" });
  s.append(svg("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: "axis" }));
  s.append(svg("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, max));
  s.append(svg("text", { x: left - 4, y: height - bottom, "text-anchor": "end" }, 0));
  s.append(svg("text", { x: left, y: height - 4 }, data.start.slice(0, 16).replace("T", " ")));
  s.append(svg("text", { x: width - 4, y: height - 4, "text-anchor": "end" }, data.end.slice(0, 16).replace("T", " ")));
  const x = i => left + (width - left - 4) * (n > 1 ? i / (n - 1) : 0.5);
  const y = v => height - bottom - (height - bottom - top) * v / max;
  routes.forEach((route, k) => {
    const points = route.points.map((p, i) => `${x(i).toFixed(1)},${y(p.conflicts).toFixed(1)}`).join(" ");
    s.append(svg("polyline", { points, fill: "none", stroke: COLORS[k], "stroke-width": 1.8 }));
    const ly = height + 14 + 18 * k;
    s.append(svg("rect", { x: left, y: ly - 9, width: 10, height: 10, fill: COLORS[k] }));
    s.append(svg("text", { x: left + 16, y: ly }, `${route.route} (${route.conflicts})`));
  });
  box.append(s);
}

function fmt(n, digits) { return n === null || n === undefined ? "-" : Number(n).toFixed(digits); }

// One row per alert (newest 30) on the window's time axis; open ones run to its end.
function timeline(target, alerts, start, end) {
  const box = document.getElementById(target);
  box.replaceChildren();
  const rows = alerts.slice(0, 30);
  if (rows.length === 0) { box.append(el("p", "no alerts in this window", "empty")); return; }
  const t0 = Date.parse(start || rows[rows.length - 1].start), t1 = Math.max(Date.parse(end || rows[0].start), t0 + 60000);
  const width = 1100, label = 330, row = 18, height = rows.length * row + 22;
  const x = t => label + (width - label - 8) * Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
  const colors = { critical: "#b91c1c", high: "#c2410c", medium: "#a16207", low: "#94a3b8" };
  const s = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  s.append(svg("line", { x1: label, y1: height - 18, x2: width - 8, y2: height - 18, class: "axis" }));
  s.append(svg("text", { x: label, y: height - 4 }, new Date(t0).toISOString().slice(0, 16).replace("T", " ")));
  s.append(svg("text", { x: width - 8, y: height - 4, "text-anchor": "end" }, new Date(t1).toISOString().slice(0, 16).replace("T", " ")));
  rows.forEach((a, i) => {
    const y = 2 + i * row, from = x(Date.parse(a.start)), to = a.end ? x(Date.parse(a.end)) : x(t1);
    const who = a.client || a.resource || "";
    const text = `${a.kind} ${a.route}${who ? " · " + who : ""}`;
    s.append(svg("text", { x: label - 6, y: y + 12, "text-anchor": "end" }, text.length > 52 ? text.slice(0, 51) + "…" : text));
    const bar = svg("rect", { x: from, y: y + 3, width: Math.max(3, to - from), height: row - 6, rx: 2, fill: colors[a.severity] || "#94a3b8" });
    bar.append(svg("title", {}, `${a.severity} ${a.kind} ${a.start}${a.end ? " → " + a.end : " (open)"}: ${a.reason}`));
    s.append(bar);
  });
  box.append(s);
}

// The report carries its data in the page (`conflictwatch report`); the live page asks the API.
const EMBEDDED = document.getElementById("cw-data");

async function load() {
  if (EMBEDDED) return JSON.parse(EMBEDDED.textContent);
  const [recent, open, hotspots, routes, series] = await Promise.all([
    api("/api/v1/alerts?since=24h"), api("/api/v1/alerts?open=true"), api("/api/v1/hotspots?top=20"), api("/api/v1/routes"),
    api("/api/v1/series?top=5"),
  ]);
  const byId = new Map();
  for (const a of recent.concat(open)) byId.set(a.id, a);
  return { alerts: [...byId.values()], hotspots, routes, series };
}

function render(d) {
  const alerts = d.alerts.slice().sort((a, b) => (a.start < b.start ? 1 : -1));
  if (EMBEDDED) document.getElementById("alertsTitle").textContent = `Alerts (${alerts.length} in the window)`;
  timeline("timeline", alerts, d.series.start, d.series.end);
  table("alerts", [
    { title: "start", value: a => a.start.slice(0, 19).replace("T", " ") },
    { title: "end", value: a => a.end ? a.end.slice(0, 19).replace("T", " ") : "open" },
    { title: "kind", value: a => a.kind },
    { title: "severity", value: a => a.severity, cls: a => "sev-" + a.severity },
    { title: "route", value: a => a.route },
    { title: "who", value: a => a.resource || a.client || "" },
    { title: "peak", value: a => a.peak_count, num: true },
    { title: "reason", value: a => a.reason, cls: () => "reason" },
  ], EMBEDDED ? alerts : alerts.slice(0, 50));
  table("hotspots", [
    { title: "resource", value: h => h.resource },
    { title: "route", value: h => h.route },
    { title: "p(conflict)", value: h => fmt(h.probability, 3), num: true },
    { title: "writes/min", value: h => fmt(h.write_rate * 60, 1), num: true },  // write_rate is per second (SPEC §6)
    { title: "writers", value: h => h.writers, num: true },
    { title: "conflicts", value: h => h.conflicts, num: true },
  ], d.hotspots);
  table("routes", [
    { title: "route", value: r => r.route },
    { title: "requests", value: r => r.requests, num: true },
    { title: "writes", value: r => r.writes, num: true },
    { title: "conflicts", value: r => r.conflicts, num: true },
    { title: "ratio", value: r => fmt(r.conflict_ratio, 3), num: true },
    { title: "writers", value: r => r.writers, num: true },
    { title: "p50 ms", value: r => fmt(r.p50_ms, 1), num: true },
    { title: "p99 ms", value: r => fmt(r.p99_ms, 1), num: true },
  ], EMBEDDED ? d.routes : d.routes.slice(0, 20));
  barChart("routeChart", d.routes.filter(r => r.conflicts > 0).slice(0, 10).map(r => ({ label: r.route, value: r.conflicts })));
  lineChart("timeChart", d.series);
  return alerts.length;
}

async function refresh() {
  const state = document.getElementById("state");
  try {
    const d = await load();
    const n = render(d);
    state.className = "";
    state.textContent = EMBEDDED
      ? `report of ${(d.series.start || "-").slice(0, 16).replace("T", " ")} to ${(d.series.end || "-").slice(0, 16).replace("T", " ")} (traffic time) · generated ${d.generated} · ${n} alerts`
      : `updated ${new Date().toLocaleTimeString()} · ${n} alerts · every ${REFRESH_MS / 1000} s`;
  } catch (e) {
    state.className = "bad";
    state.textContent = (EMBEDDED ? "cannot read the report's data: " : "cannot read the API: ") + e.message;
  }
}

refresh();
if (!EMBEDDED) setInterval(refresh, REFRESH_MS);
</script>
</body>
</html>
"""#
}
