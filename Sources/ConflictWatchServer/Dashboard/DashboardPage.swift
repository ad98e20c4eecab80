import ConflictWatchCore
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
<script id="cw-errors">
// Before anything else: every uncaught error, rejected promise, console.error and CSP refusal
// is kept on <html data-errors>, so a headless browser's --dump-dom shows what went wrong.
(function () {
  const seen = [];
  function keep(what) {
    seen.push(String(what).slice(0, 300));
    document.documentElement.setAttribute("data-errors", String(seen.length));
    document.documentElement.setAttribute("data-error-text", seen.join(" | "));
  }
  window.addEventListener("error", e => keep("error: " + (e.message || e.type)));
  window.addEventListener("unhandledrejection", e => keep("rejection: " + (e.reason && e.reason.message || e.reason)));
  document.addEventListener("securitypolicyviolation", e => keep("csp: " + e.violatedDirective + " " + e.blockedURI));
  const original = console.error;
  console.error = function (...args) { keep("console: " + args.join(" ")); original.apply(console, args); };
  document.documentElement.setAttribute("data-errors", "0");
})();
</script>
<style>
  :root { --fg:#1d2330; --muted:#6b7385; --line:#e3e6ec; --grid:#eef0f4; --accent:#c2410c; --bar:#2563eb; --bg:#fafbfc; }
  * { box-sizing: border-box; }
  html, body { max-width: 100%; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .3rem 1rem; padding: .8rem 1.2rem; border-bottom: 1px solid var(--line); background: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; }
  #zone { font-size: .85rem; font-weight: 600; }
  #state { color: var(--muted); font-size: .85rem; }
  #state.bad { color: var(--accent); }
  main { padding: 1rem 1.2rem; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 400px), 1fr)); }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: .95rem; margin: 0 0 .6rem; }
  .note { color: var(--muted); font-size: .8rem; margin: .2rem 0 .5rem; }
  .scroll { overflow-x: auto; max-width: 100%; }
  .scroll.tall { max-height: 34rem; overflow-y: auto; }
  table { border-collapse: collapse; width: 100%; font-size: .85rem; }
  th, td { text-align: left; vertical-align: top; padding: .25rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { position: sticky; top: 0; background: #fff; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.reason { white-space: normal; min-width: 18rem; color: var(--muted); }
  tr.has-detail td { border-bottom: none; padding-bottom: 0; }
  tr.detail td { padding-top: 0; padding-bottom: .45rem; white-space: normal; max-width: 0; }
  tr.silenced td { color: #9aa1ae; }
  .mark { display: inline-block; font-size: .72rem; padding: 0 .35rem; border-radius: 3px; background: #e5e7eb; color: #4b5563; }
  .sev-critical { color: #b91c1c; font-weight: 600; } .sev-high { color: #c2410c; font-weight: 600; }
  .sev-medium { color: #a16207; } .sev-low { color: var(--muted); }
  .empty { color: var(--muted); font-style: italic; }
  #totals { display: grid; gap: .6rem; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); }
  .tile { border: 1px solid var(--line); border-radius: 5px; padding: .4rem .6rem; }
  .tile .label { color: var(--muted); font-size: .75rem; }
  .tile .value { font-size: 1.25rem; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
  .tile .value.small { font-size: .85rem; font-weight: 500; }
  .legend { display: flex; flex-wrap: wrap; gap: .2rem 1rem; font-size: .8rem; margin-top: .3rem; }
  .legend span.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
  .legend .marker { color: var(--muted); }
  .pager { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin: .2rem 0 .5rem; font-size: .85rem; }
  .pager button { font: inherit; padding: .1rem .6rem; }
  svg { display: block; max-width: 100%; }
  svg.chart { max-width: 1150px; }
  svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
  svg .axis { stroke: #9aa1ae; }
  svg .grid { stroke: var(--grid); }
  svg text.title { fill: var(--muted); }
  #login { display: none; padding: 1rem 1.2rem; }
  #login input { font: inherit; padding: .3rem .5rem; width: min(22rem, 70vw); }
</style>
</head>
<body>
<header><h1>conflictwatch</h1><span id="zone">All times UTC (traffic time)</span><span id="state">loading…</span></header>
<form id="login"><label>API token <input id="token" type="password" autocomplete="off"></label> <button>Use</button></form>
<main>
  <section class="wide" id="totalsPanel"><h2 id="totalsTitle">Totals</h2><div id="totals"></div></section>
  <section class="wide"><h2 id="recentTitle">Conflicts over time, recent (per bucket)</h2><p class="note" id="recentNote"></p><div id="recentChart"></div></section>
  <section class="wide"><h2 id="timeTitle">Conflicts over time (per minute)</h2><p class="note" id="timeNote"></p><div id="timeChart"></div></section>
  <section class="wide"><h2>Hot spots <span class="note">(ranked as <code>conflictwatch hotspots</code>: most likely next conflict first)</span></h2><div class="scroll" id="hotspots"></div></section>
  <section class="wide"><h2 id="alertsTitle">Alerts</h2>
    <div class="pager" id="pager"></div>
    <div id="timeline"></div>
    <div class="scroll tall" id="alerts"></div></section>
  <section><h2>Active silences</h2><div class="scroll" id="silences"></div></section>
  <section><h2>Conflicts per route</h2><div id="routeChart"></div></section>
  <section class="wide"><h2>Routes</h2><div class="scroll tall" id="routes"></div></section>
</main>
<script>
"use strict";
const REFRESH_MS = 5000, SVG = "http://www.w3.org/2000/svg", PAGE_SIZE = 50;
const COLORS = ["#2563eb", "#c2410c", "#15803d", "#7c3aed", "#be185d", "#0e7490", "#a16207", "#4d7c0f", "#9f1239", "#475569"];
const SEVERITY_COLORS = { critical: "#b91c1c", high: "#c2410c", medium: "#a16207", low: "#94a3b8" };
const SILENCED_COLOR = "#cbd5e1";
let alertPage = 0, lastData = null, lastLines = null;
const routeColors = new Map();

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

async function request(path) {
  const headers = {};
  const token = sessionStorage.getItem("cwToken");
  if (token) headers["Authorization"] = "Bearer " + token;
  const r = await fetch(path, { headers, cache: "no-store" });
  if (r.status === 401) { document.getElementById("login").style.display = "block"; throw new Error("this server needs an API token"); }
  return r;
}

async function api(path) {
  const r = await request(path);
  const body = await r.json();
  if (!r.ok) throw new Error(body && body.error ? body.error.message : ("HTTP " + r.status));
  return body;
}

// For what an older or smaller server may lack (silences, the status): absent is not an error.
async function optional(path, text) {
  try {
    const r = await request(path);
    if (!r.ok) return null;
    return text ? await r.text() : await r.json();
  } catch (e) {
    if (String(e.message).includes("API token")) throw e;
    return null;
  }
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

// Every time on the page: UTC, ISO order, with its Z.
function utc(iso, seconds) {
  if (!iso) return "-";
  const d = typeof iso === "number" ? new Date(iso) : new Date(Date.parse(iso));
  if (isNaN(d)) return String(iso);
  return d.toISOString().slice(0, seconds === false ? 16 : 19).replace("T", " ") + "Z";
}

function fmt(n, digits) { return n === null || n === undefined || isNaN(n) ? "-" : Number(n).toFixed(digits); }
function int(n) { return n === null || n === undefined ? "-" : Number(n).toLocaleString("en-US"); }

function span(seconds) {
  if (!isFinite(seconds) || seconds <= 0) return "-";
  if (seconds < 120) return Math.round(seconds) + " s";
  if (seconds < 7200) return Math.round(seconds / 60) + " min";
  if (seconds < 172800) return (seconds / 3600).toFixed(1) + " h";
  return (seconds / 86400).toFixed(1) + " days";
}

function stepText(seconds) {
  if (seconds % 3600 === 0) return seconds / 3600 + " h";
  if (seconds % 60 === 0) return seconds / 60 + " min";
  return seconds + " s";
}

function isOpen(a) { return !a.end; }
function isSilenced(a) { return a.silenced === true; }

function colorOf(route) {
  if (!routeColors.has(route)) routeColors.set(route, COLORS[routeColors.size % COLORS.length]);
  return routeColors.get(route);
}

// `detail` (optional) gives each row a second, full-width line: long prose such as an alert's
// reason reads as a paragraph there instead of a tall, narrow column pushed off the panel.
function table(target, columns, rows, rowClass, detail) {
  const box = document.getElementById(target);
  box.replaceChildren();
  if (rows.length === 0) { box.append(el("p", "nothing yet", "empty")); return; }
  const t = el("table"), head = el("tr");
  for (const c of columns) {
    const th = el("th", c.title, c.num ? "num" : "");
    if (c.help) th.title = c.help;
    head.append(th);
  }
  t.append(head);
  for (const row of rows) {
    const tr = el("tr", null, rowClass ? rowClass(row) : "");
    for (const c of columns) {
      const td = el("td", null, (c.num ? "num " : "") + (c.cls ? c.cls(row) : ""));
      const v = c.value(row);
      if (v instanceof Node) td.append(v); else td.textContent = v === null || v === undefined ? "" : String(v);
      tr.append(td);
    }
    t.append(tr);
    if (detail) {
      const text = detail(row), line = el("tr", null, "detail " + (rowClass ? rowClass(row) : ""));
      const td = el("td", text === null || text === undefined ? "" : String(text), "reason");
      td.colSpan = columns.length;
      line.append(td);
      tr.classList.add("has-detail");
      t.append(line);
    }
  }
  box.append(t);
}

// Round ticks: 1, 2 or 5 times a power of ten, about `count` of them from 0 to at least `max`.
function countTicks(max, count) {
  const raw = Math.max(1, max) / count, p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * p).find(s => s >= raw);
  const ticks = [];
  for (let v = 0; v <= max + step * 0.999; v += step) ticks.push(Math.round(v * 1000) / 1000);
  if (ticks.length < 2) ticks.push(step);
  return ticks;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map(s => s * 1000);

function timeTicks(t0, t1, count) {
  const step = TIME_STEPS.find(s => (t1 - t0) / s <= count) || TIME_STEPS[TIME_STEPS.length - 1];
  const ticks = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return { ticks, step };
}

function tickLabel(t, step, t0, t1) {
  const iso = new Date(t).toISOString();
  const longSpan = t1 - t0 > 86400000;
  if (step >= 86400000) return iso.slice(5, 10);
  if (longSpan) return iso.slice(5, 10) + " " + iso.slice(11, 16);
  return step < 60000 ? iso.slice(11, 19) : iso.slice(11, 16);
}

// The time axis, its ticks and labels, and the axis title naming the zone and the dates.
function timeAxis(s, x, t0, t1, y0, left, right, maxTicks) {
  const { ticks, step } = timeTicks(t0, t1, maxTicks);
  s.append(svg("line", { x1: left, y1: y0, x2: right, y2: y0, class: "axis" }));
  for (const t of ticks) {
    s.append(svg("line", { x1: x(t), y1: y0, x2: x(t), y2: y0 + 4, class: "axis" }));
    // A label on the plot's edge is anchored inside it, so the last one is not cut off.
    const anchor = x(t) > right - 24 ? "end" : x(t) < left + 24 ? "start" : "middle";
    s.append(svg("text", { x: x(t), y: y0 + 15, "text-anchor": anchor, class: "tick" }, tickLabel(t, step, t0, t1)));
  }
  const d0 = new Date(t0).toISOString().slice(0, 10), d1 = new Date(t1 - 1).toISOString().slice(0, 10);
  s.append(svg("text", { x: (left + right) / 2, y: y0 + 29, "text-anchor": "middle", class: "title" },
    `traffic time, UTC (${d0 === d1 ? d0 : d0 + " to " + d1})`));
}

// One line per route; a marker on the time axis per alert (its title says which); labelled axes.
function timeChart(target, titleId, noteId, data, alerts, what) {
  const box = document.getElementById(target);
  box.replaceChildren();
  const title = document.getElementById(titleId), note = document.getElementById(noteId);
  if (!data) {
    title.textContent = `Conflicts over time, ${what}`;
    note.textContent = "";
    box.append(el("p", "not in this data (written by an older conflictwatch)", "empty"));
    return;
  }
  const per = data.step_seconds > 0 ? stepText(data.step_seconds) : "-";
  const resolution = data.resolution === "bucket" ? "model bucket" : "minute";
  title.textContent = `Conflicts over time, ${what} (per ${per}, from ${resolution} counts)`;
  note.textContent = data.start
    ? `${utc(data.start)} to ${utc(data.end)}, top ${data.routes.length} routes by conflicts; resolution: one point per ${per}.`
    : "";
  const routes = data.routes;
  if (!data.start || routes.length === 0) {
    box.append(el("p", data.resolution === "bucket"
      ? "no per-bucket counts stored for this window (they are kept for the last 6 h of traffic; a store written before migration v6-route-buckets has none)"
      : "no traffic stored in this window", "empty"));
    return;
  }
  const t0 = Date.parse(data.start), t1 = Date.parse(data.end), stepMs = data.step_seconds * 1000;
  const width = 900, height = 240, left = 56, right = width - 12, top = 10, y0 = height - 44;
  const max = Math.max(1, ...routes.flatMap(r => r.points.map(p => p.conflicts)));
  const ticks = countTicks(max, 4), yMax = ticks[ticks.length - 1];
  const x = t => left + (right - left) * Math.min(1, Math.max(0, (t - t0) / Math.max(1, t1 - t0)));
  const y = v => y0 - (y0 - top) * v / yMax;
  const s = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", class: "chart", "data-resolution": data.resolution || "minute" });
  s.append(svg("title", {}, `Conflicts per ${per} for the top routes`));
  for (const v of ticks) {
    s.append(svg("line", { x1: left, y1: y(v), x2: right, y2: y(v), class: v === 0 ? "axis" : "grid" }));
    s.append(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, v));
  }
  s.append(svg("line", { x1: left, y1: top, x2: left, y2: y0, class: "axis" }));
  s.append(svg("text", { x: 12, y: (top + y0) / 2, "text-anchor": "middle", class: "title", transform: `rotate(-90 12 ${(top + y0) / 2})` }, `conflicts per ${per}`));
  timeAxis(s, x, t0, t1, y0, left, right, 9);
  for (const route of routes) {
    const pts = route.points.map(p => `${x(Date.parse(p.time) + stepMs / 2).toFixed(1)},${y(p.conflicts).toFixed(1)}`);
    const line = svg(pts.length > 1 ? "polyline" : "circle", pts.length > 1
      ? { points: pts.join(" "), fill: "none", stroke: colorOf(route.route), "stroke-width": 1.8, class: "series" }
      : { cx: pts[0].split(",")[0], cy: pts[0].split(",")[1], r: 3, fill: colorOf(route.route), class: "series" });
    line.setAttribute("data-route", route.route);
    line.setAttribute("data-conflicts", route.conflicts);
    line.append(svg("title", {}, `${route.route}: ${route.conflicts} conflicts`));
    s.append(line);
  }
  let markers = 0;
  for (const a of alerts) {
    const t = Date.parse(a.start);
    if (!(t >= t0 && t <= t1)) continue;
    const cx = x(t), color = isSilenced(a) ? SILENCED_COLOR : (SEVERITY_COLORS[a.severity] || "#94a3b8");
    const m = svg("path", { d: `M${cx.toFixed(1)},${y0 - 1} l-5,-9 h10 z`, fill: color, stroke: "#fff", "stroke-width": 0.8, class: "alert-marker" });
    m.append(svg("title", {}, `alert ${a.id} · ${a.kind} · ${a.severity}${isSilenced(a) ? " · silenced" : ""} · ${a.route} · from ${utc(a.start)}`));
    s.append(m);
    markers++;
  }
  box.append(s);
  const legend = el("div", null, "legend");
  for (const route of routes) {
    const item = el("span"), swatch = el("span", null, "swatch");
    swatch.style.background = colorOf(route.route);
    item.append(swatch, document.createTextNode(`${route.route} (${int(route.conflicts)})`));
    legend.append(item);
  }
  legend.append(el("span", `▼ ${markers} alert start${markers === 1 ? "" : "s"} (colour: severity; grey: silenced; hover for id, kind, severity)`, "marker"));
  box.append(legend);
}

function barChart(target, items) {
  const box = document.getElementById(target);
  box.replaceChildren();
  if (items.length === 0) { box.append(el("p", "no conflicts stored", "empty")); return; }
  const width = 560, label = 220, row = 22, height = items.length * row + 8;
  const max = Math.max(1, ...items.map(i => i.value));
  const s = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  items.forEach((item, i) => {
    const y = 4 + i * row, w = Math.max(1, (width - label - 70) * item.value / max);
    s.append(svg("text", { x: label - 6, y: y + 14, "text-anchor": "end" }, item.label.length > 34 ? item.label.slice(0, 33) + "…" : item.label));
    const bar = svg("rect", { x: label, y: y + 3, width: w, height: row - 8, fill: "var(--bar)", rx: 2, class: "bar" });
    bar.append(svg("title", {}, `${item.label}: ${item.value} conflicts`));
    s.append(bar);
    s.append(svg("text", { x: label + w + 4, y: y + 14 }, `${int(item.value)} conflicts`));
  });
  box.append(s);
}

// Every alert, newest first, PAGE_SIZE to a page: the pager says which and how many.
function pager(total) {
  const box = document.getElementById("pager");
  box.replaceChildren();
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  alertPage = Math.min(alertPage, pages - 1);
  const from = total === 0 ? 0 : alertPage * PAGE_SIZE + 1, to = Math.min(total, (alertPage + 1) * PAGE_SIZE);
  const prev = el("button", "‹ newer"), next = el("button", "older ›");
  prev.type = next.type = "button";
  prev.disabled = alertPage === 0;
  next.disabled = alertPage >= pages - 1;
  prev.addEventListener("click", () => { alertPage--; if (lastData) render(lastData); });
  next.addEventListener("click", () => { alertPage++; if (lastData) render(lastData); });
  const text = el("span", `alerts ${from}–${to} of ${total}, newest first (page ${alertPage + 1} of ${pages})`);
  text.id = "pagerText";
  box.append(prev, text, next);
}

// One row per alert of this page on the time axis of every alert; open ones run to its end.
function timeline(target, rows, t0, t1) {
  const box = document.getElementById(target);
  box.replaceChildren();
  if (rows.length === 0) { box.append(el("p", "no alerts in this window", "empty")); return; }
  const width = 1000, label = 300, right = width - 10, row = 18, axis = 36, height = rows.length * row + axis + 4;
  const x = t => label + (right - label) * Math.min(1, Math.max(0, (t - t0) / Math.max(1, t1 - t0)));
  const s = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", class: "timeline" });
  const y0 = rows.length * row + 4;
  timeAxis(s, x, t0, t1, y0, label, right, 8);
  rows.forEach((a, i) => {
    const y = 2 + i * row, from = x(Date.parse(a.start)), to = a.end ? x(Date.parse(a.end)) : x(t1);
    const who = a.resource || a.client || "";
    const text = `${isSilenced(a) ? "(silenced) " : ""}${a.kind} ${a.route}${who ? " · " + who : ""}`;
    const t = svg("text", { x: label - 6, y: y + 12, "text-anchor": "end" }, text.length > 48 ? text.slice(0, 47) + "…" : text);
    if (isSilenced(a)) t.setAttribute("fill-opacity", "0.5");
    s.append(t);
    const bar = svg("rect", { x: from, y: y + 3, width: Math.max(3, to - from), height: row - 6, rx: 2,
      fill: isSilenced(a) ? SILENCED_COLOR : (SEVERITY_COLORS[a.severity] || "#94a3b8"), class: "alert-bar" });
    bar.append(svg("title", {}, `${a.id}: ${a.severity} ${a.kind}${isSilenced(a) ? " (silenced)" : ""} ${utc(a.start)}${a.end ? " to " + utc(a.end) : " (open)"}: ${a.reason}`));
    s.append(bar);
  });
  box.append(s);
}

function tile(label, value, small, id) {
  const t = el("div", null, "tile");
  t.append(el("div", label, "label"));
  const v = el("div", value, "value" + (small ? " small" : ""));
  if (id) v.id = id;
  t.append(v);
  return t;
}

function totals(d, alerts, live) {
  const box = document.getElementById("totals");
  box.replaceChildren();
  const sum = k => d.routes.reduce((n, r) => n + (Number(r[k]) || 0), 0);
  const requests = sum("requests"), writes = sum("writes"), conflicts = sum("conflicts");
  const open = alerts.filter(a => isOpen(a) && !isSilenced(a)).length;
  const silenced = alerts.filter(isSilenced).length;
  const w = d.window || {};
  box.append(
    tile("requests", int(requests), false, "totalRequests"),
    tile("writes", int(writes), false, "totalWrites"),
    tile("conflicts", int(conflicts), false, "totalConflicts"),
    tile("conflict ratio (conflicts / writes)", writes > 0 ? fmt(conflicts / writes, 3) : "-", false, "totalRatio"),
    tile("open alerts (not silenced)", int(open), false, "totalOpen"),
    tile("silenced alerts", int(silenced), false, "totalSilenced"),
    tile("hot spots", int(d.hotspots.length), false, "totalHotspots"),
    tile("time span (UTC)", w.start ? `${utc(w.start, false)} to ${utc(w.end, false)} (${span((Date.parse(w.end) - Date.parse(w.start)) / 1000)})` : "no traffic stored", true, "totalSpan"));
  if (live) {
    box.append(
      tile("lines/s (read now)", live.linesPerSecond === null ? "measuring…" : fmt(live.linesPerSecond, 1), false, "liveRate"),
      tile("lag (s)", live.lag === null || live.lag === undefined ? "-" : fmt(live.lag, 2), false, "liveLag"));
  }
}

// The report carries its data in the page (`conflictwatch report`); the live page asks the API.
const EMBEDDED = document.getElementById("cw-data");

function lineCount(metrics) {
  if (!metrics) return null;
  let n = null;
  for (const line of metrics.split("\n")) {
    const m = line.match(/^conflictwatch_lines_total(\{[^}]*\})? ([0-9.eE+]+)$/);
    if (m) n = (n || 0) + Number(m[2]);
  }
  return n;
}

async function load() {
  if (EMBEDDED) {
    const d = JSON.parse(EMBEDDED.textContent);
    d.window = { start: d.series && d.series.start, end: d.series && d.series.end };
    d.silences = d.silences || [];
    return d;
  }
  // The window is the chart's (the last six hours of stored traffic): routes, totals and alerts
  // cover the same span, and the open alerts whatever their start.
  const series = await api("/api/v1/series?top=5");
  const q = series.start ? `since=${encodeURIComponent(series.start)}&until=${encodeURIComponent(new Date(Date.parse(series.end) - 1000).toISOString())}` : "";
  const [recent, windowAlerts, open, hotspots, routes, silences, health, metrics] = await Promise.all([
    optional("/api/v1/series?top=5&resolution=bucket"),
    series.start ? api("/api/v1/alerts?" + q) : Promise.resolve([]), api("/api/v1/alerts?open=true"),
    api("/api/v1/hotspots?top=20"), api("/api/v1/routes" + (q ? "?" + q : "")),
    optional("/api/v1/silences"), optional("/healthz"), optional("/metrics", true),
  ]);
  const byId = new Map();
  for (const a of windowAlerts.concat(open)) byId.set(a.id, a);
  const lines = lineCount(metrics), now = Date.now();
  let linesPerSecond = null;
  if (lines !== null && lastLines && now > lastLines.at) linesPerSecond = Math.max(0, (lines - lastLines.lines) * 1000 / (now - lastLines.at));
  if (lines !== null) lastLines = { lines, at: now };
  return {
    alerts: [...byId.values()], hotspots, routes, series, recent, silences: Array.isArray(silences) ? silences : [],
    window: { start: series.start, end: series.end },
    live: { linesPerSecond, lag: health ? health.lag_seconds : null },
  };
}

function matchers(s) {
  const m = s.matchers || s;
  return ["route", "kind", "client", "resource"].filter(k => m[k]).map(k => `${k}=${m[k]}`).join(" ");
}

function render(d) {
  const alerts = d.alerts.slice().sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : (a.id < b.id ? 1 : -1)));
  for (const r of (d.series && d.series.routes) || []) colorOf(r.route);
  totals(d, alerts, EMBEDDED ? null : d.live);
  document.getElementById("totalsTitle").textContent = EMBEDDED
    ? "Totals (the report's window)" : "Totals (the charts' window: the last 6 h of stored traffic)";
  timeChart("recentChart", "recentTitle", "recentNote", d.recent, alerts, "recent");
  timeChart("timeChart", "timeTitle", "timeNote", d.series, alerts, EMBEDDED ? "the report's window" : "the last 6 h of stored traffic");
  table("hotspots", [
    { title: "#", value: h => d.hotspots.indexOf(h) + 1, num: true },
    { title: "resource", value: h => h.resource },
    { title: "route", value: h => h.route },
    { title: "p(conflict)", value: h => fmt(h.probability, 3), num: true, help: "predicted probability of a conflict within the model's horizon" },
    { title: "writes/min", value: h => fmt(h.write_rate * 60, 1), num: true },  // write_rate is per second (SPEC §6)
    { title: "writers", value: h => h.writers, num: true },
    { title: "edit ms", value: h => fmt(h.edit_window_ms, 0), num: true },
    { title: "conflicts", value: h => h.conflicts, num: true },
    { title: "since", value: h => utc(h.since) },
  ], d.hotspots);
  const open = alerts.filter(a => isOpen(a) && !isSilenced(a)).length, silenced = alerts.filter(isSilenced).length;
  document.getElementById("alertsTitle").textContent = `Alerts (${alerts.length}: ${open} open, ${silenced} silenced)`;
  pager(alerts.length);
  const page = alerts.slice(alertPage * PAGE_SIZE, (alertPage + 1) * PAGE_SIZE);
  const starts = alerts.map(a => Date.parse(a.start)).filter(isFinite), ends = alerts.map(a => Date.parse(a.end || a.start)).filter(isFinite);
  const w0 = d.window && d.window.start ? Date.parse(d.window.start) : Infinity, w1 = d.window && d.window.end ? Date.parse(d.window.end) : -Infinity;
  const t0 = Math.min(w0, ...starts), t1 = Math.max(w1, ...ends, t0 + 60000);
  timeline("timeline", page, t0, t1);
  table("alerts", [
    { title: "start", value: a => utc(a.start) },
    { title: "end", value: a => a.end ? utc(a.end) : "open" },
    { title: "state", value: a => isSilenced(a) ? el("span", "silenced", "mark") : (isOpen(a) ? "open" : "closed") },
    { title: "kind", value: a => a.kind },
    { title: "severity", value: a => a.severity, cls: a => "sev-" + a.severity },
    { title: "route", value: a => a.route },
    { title: "resource / client", value: a => a.resource || a.client || "" },
    { title: "peak", value: a => a.peak_count, num: true },
    { title: "id", value: a => a.id },
  ], page, a => isSilenced(a) ? "silenced" : "", a => a.reason);
  const active = (d.silences || []).filter(s => s && s.expired !== true);
  table("silences", [
    { title: "id", value: s => s.id },
    { title: "matches", value: s => matchers(s) },
    { title: "ends", value: s => utc(s.ends) },
    { title: "by", value: s => s.author || "" },
    { title: "comment", value: s => s.comment || "", cls: () => "reason" },
  ], active);
  if (active.length === 0) document.getElementById("silences").replaceChildren(el("p", "no active silence", "empty"));
  table("routes", [
    { title: "route", value: r => r.route },
    { title: "requests", value: r => r.requests, num: true },
    { title: "writes", value: r => r.writes, num: true },
    { title: "conflicts", value: r => r.conflicts, num: true },
    { title: "ratio", value: r => fmt(r.conflict_ratio, 3), num: true, help: "conflicts / writes" },
    { title: "writers", value: r => r.writers, num: true },
    { title: "p50 ms", value: r => fmt(r.p50_ms, 1), num: true },
    { title: "p99 ms", value: r => fmt(r.p99_ms, 1), num: true },
  ], d.routes);
  barChart("routeChart", d.routes.filter(r => r.conflicts > 0).slice(0, 10).map(r => ({ label: r.route, value: r.conflicts })));
  return alerts.length;
}

// For people and for the browser test: did it render, and does it fit the window's width?
function markRendered() {
  const root = document.documentElement;
  root.setAttribute("data-rendered", String(Number(root.getAttribute("data-rendered") || 0) + 1));
  root.setAttribute("data-scroll-width", String(root.scrollWidth));
  root.setAttribute("data-inner-width", String(window.innerWidth));
  root.setAttribute("data-fits", String(root.scrollWidth <= window.innerWidth));
}

async function refresh() {
  const state = document.getElementById("state");
  try {
    const d = await load();
    lastData = d;
    const n = render(d);
    state.className = "";
    state.textContent = EMBEDDED
      ? `report of ${utc(d.series && d.series.start, false)} to ${utc(d.series && d.series.end, false)} · generated ${utc(d.generated)} · ${n} alerts`
      : `updated ${utc(Date.now())} · ${n} alerts · every ${REFRESH_MS / 1000} s`;
  } catch (e) {
    state.className = "bad";
    state.textContent = (EMBEDDED ? "cannot read the report's data: " : "cannot read the API: ") + e.message;
  }
  markRendered();
}

refresh();
if (!EMBEDDED) setInterval(refresh, REFRESH_MS);
</script>
</body>
</html>
"""#
}
