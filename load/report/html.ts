// The report as one self-contained HTML page: no scripts, no CDN, the latency-over-
// time charts drawn as inline SVG from the JSON report. Written with hono's `html`
// tag, which escapes every value it is given (names, targets and error codes come
// from the run) and leaves nested fragments as they are.
import { html } from "hono/html";
import { callsTable, cpuTable, resultsTable } from "./summary.ts";
import type { LoadReport, ScenarioResult } from "./types.ts";
import type { TimelinePoint } from "./stats.ts";

type Html = ReturnType<typeof html>;

const W = 880;
const H = 260;
const PAD = { left: 56, right: 56, top: 16, bottom: 32 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v) ?? v;
}

function polyline(points: TimelinePoint[], value: (p: TimelinePoint) => number, x: (t: number) => number, y: (v: number) => number, color: string, dash = ""): Html {
  const d = points.map((p) => `${x(p.t + 0.5).toFixed(1)},${y(value(p)).toFixed(1)}`).join(" ");
  return html`<polyline fill="none" stroke="${color}" stroke-width="1.6" ${dash ? html`stroke-dasharray="${dash}"` : ""} points="${d}"/>`;
}

/** p50/p95/p99 per second (left axis, ms) and requests per second (right axis), with the seed's limits. */
function latencyChart(s: ScenarioResult): Html {
  const points = s.stats.timeline;
  if (points.length === 0) return html`<p>No requests were recorded.</p>`;
  const tMax = Math.max(points[points.length - 1]!.t + 1, s.profile.rampS + s.profile.holdS + s.profile.rampDownS);
  const yMax = niceMax(Math.max(...points.map((p) => p.p99), 10));
  const rMax = niceMax(Math.max(...points.map((p) => p.count), 1));
  const x = (t: number) => PAD.left + (t / tMax) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (Math.min(v, yMax) / yMax) * (H - PAD.top - PAD.bottom);
  const yr = (v: number) => H - PAD.bottom - (v / rMax) * (H - PAD.top - PAD.bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const gy = y(yMax * f);
    return html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${gy}" y2="${gy}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${gy + 4}" text-anchor="end">${(yMax * f).toFixed(0)}</text><text x="${W - PAD.right + 6}" y="${yr(rMax * f) + 4}">${(rMax * f).toFixed(0)}</text>`;
  });
  const ticks = Array.from({ length: 7 }, (_, i) => (tMax * i) / 6).map((t) => html`<text x="${x(t)}" y="${H - 10}" text-anchor="middle">${t.toFixed(0)} s</text>`);
  const limits = [300, 500]
    .filter((v) => v <= yMax)
    .map((v) => html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#c00" stroke-dasharray="6 4"/><text x="${v === 300 ? PAD.left + 4 : W - PAD.right - 4}" y="${y(v) - 4}" text-anchor="${v === 300 ? "start" : "end"}" fill="#c00">${v === 300 ? "p95" : "p99"} limit ${v} ms</text>`);
  const errors = points
    .filter((p) => p.errors > 0)
    .map((p) => html`<rect x="${x(p.t)}" y="${PAD.top}" width="${Math.max(x(p.t + 1) - x(p.t), 1)}" height="${H - PAD.top - PAD.bottom}" fill="#f99" opacity="0.35"><title>${p.errors} errors at ${p.t} s</title></rect>`);
  return html`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="latency over time for ${s.name}" font-size="11" font-family="sans-serif">
${grid}${ticks}${errors}${limits}
${polyline(points, (p) => p.count, x, yr, "#999", "2 3")}
${polyline(points, (p) => p.p50, x, y, "#2a7")}
${polyline(points, (p) => p.p95, x, y, "#e80")}
${polyline(points, (p) => p.p99, x, y, "#c22")}
<text x="${PAD.left}" y="${PAD.top - 4}">ms</text><text x="${W - PAD.right}" y="${PAD.top - 4}">req/s</text>
</svg>
<p class="legend"><span style="color:#2a7">■ p50</span> <span style="color:#e80">■ p95</span> <span style="color:#c22">■ p99</span> <span style="color:#999">┄ requests/s (right axis)</span> <span style="color:#f99">■ seconds with errors</span></p>`;
}

function kv(obj: Record<string, number>): string {
  const entries = Object.entries(obj);
  return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(", ") : "none";
}

function scenarioSection(s: ScenarioResult): Html {
  const unit = (u: string) => (u === "%" ? " %" : " ms");
  const checks = s.verdict.checks.map(
    (c) => html`<tr><td>${c.name}${c.seed ? "" : " (ours)"}</td><td>${c.value}${unit(c.unit)}</td><td>&lt; ${c.limit}${unit(c.unit)}</td><td class="${c.pass ? "pass" : "fail"}">${c.pass ? "pass" : "FAIL"}</td></tr>`,
  );
  const sch = s.schedule;
  return html`<section><h2>${s.title} <small class="${s.verdict.pass ? "pass" : "fail"}">${s.verdict.pass ? "PASS" : s.verdict.seedPass ? "seed criteria held, schedule not" : "FAIL"}</small></h2>
<p>${s.profile.rate} iterations/s, ramp ${s.profile.rampS} s, hold ${s.profile.holdS} s, ramp-down ${s.profile.rampDownS} s, ${s.vus} virtual users.
Scheduled ${sch.scheduled}, started ${sch.started}, dropped ${sch.dropped}, no prepared state ${sch.starved}, late (&gt; ${sch.lateMs} ms) ${sch.late}, max lag ${sch.maxLagMs} ms.
Held ${s.achieved.holdRequestsPerS} requests/s. Preparation ${s.prepareSeconds} s (not timed).</p>
${latencyChart(s)}
<table><tr><th>check</th><th>measured</th><th>limit</th><th></th></tr>${checks}</table>
<p>Errors by status: ${kv(s.stats.errorsByStatus)}. By OAuth error code: ${kv(s.stats.errorsByCode)}.</p></section>`;
}

export function renderHtml(report: LoadReport): string {
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>authshard load report ${report.startedAt}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:12px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px}
.pass{color:#080}.fail{color:#c00}section{margin:2em 0}.legend span{margin-right:1em}</style></head><body>
<h1>authshard load report</h1>
<p>Target ${report.target} · ${report.mode} run · ${report.startedAt} → ${report.finishedAt}<br>
Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node} · source ${report.source.commit ?? "unknown"}${report.source.dirty ? " (with uncommitted changes)" : ""}</p>
<h2>Summary</h2><pre>${resultsTable(report)}</pre>
<h2>Calls per request type (counted by the worker)</h2><pre>${callsTable(report)}</pre>
<h2>CPU</h2><pre>${cpuTable(report)}</pre>
<p>Provider CPU is the workerd process's user+system time during the run (router, actors and local D1 together) per request; it is a local measure, not Workers billing CPU.</p>
${report.scenarios.map((s, i) => (i === 0 ? scenarioSection(s) : html`\n${scenarioSection(s)}`))}
</body></html>
`;
  // Nothing on the page is asynchronous, so the tag gives a string, not a promise.
  if (page instanceof Promise) throw new TypeError("the report page has an asynchronous part");
  return page.toString();
}
