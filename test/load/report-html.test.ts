import { describe, expect, it } from "vitest";
import { evaluate } from "../../load/report/criteria.ts";
import { renderHtml } from "../../load/report/html.ts";
import { ScenarioRecorder } from "../../load/report/stats.ts";
import type { LoadReport, ScenarioResult } from "../../load/report/types.ts";

/** A one-scenario report whose run-supplied strings try to break out of the page. */
function report(): LoadReport {
  const recorder = new ScenarioRecorder();
  for (let i = 0; i < 50; i++) recorder.request({ step: "GET /userinfo", ms: 5 + i, ok: i !== 7, status: i === 7 ? 401 : 200, ...(i === 7 ? { error: "<script>alert(1)</script>" } : {}) }, i * 100);
  const stats = recorder.stats();
  const scenario: ScenarioResult = {
    name: "userinfo",
    title: 'TEST "1" <userinfo> & more',
    profile: { rate: 10, rampS: 0, holdS: 5, rampDownS: 0 },
    vus: 2,
    prepareSeconds: 0.1,
    schedule: { scheduled: 50, started: 50, dropped: 0, late: 0, lateMs: 10, maxLagMs: 1, unfinished: 0, starved: 0 },
    elapsedSeconds: 5,
    achieved: { iterationsPerS: 10, requestsPerS: 10, holdRequestsPerS: 10 },
    stats,
    verdict: evaluate(stats.overall, { scheduled: 50, dropped: 0 }),
    metrics: null,
    hostLoad: { before: 0, after: 0, cpus: 2 },
    cpu: { providerMsPerRequest: null, providerCpuMs: null, providerUtilization: null, generatorMsPerRequest: 0.1 },
  };
  return {
    version: 1, startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:00:06.000Z", target: "http://127.0.0.1:8790/?a=1&b=2", mode: "custom",
    machine: { cpus: 2, cpuModel: "test <cpu>", node: "v22", platform: "linux" }, source: { commit: null, dirty: false }, providerStarted: false, seeding: null, scenarios: [scenario],
  };
}

describe("load report page", () => {
  it("escapes what the run supplied and draws the latency chart", () => {
    const page = renderHtml(report());
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).toContain("<h2>TEST &quot;1&quot; &lt;userinfo&gt; &amp; more <small");
    expect(page).toContain("By OAuth error code: &lt;script&gt;alert(1)&lt;/script&gt;: 1.");
    expect(page).toContain("Target http://127.0.0.1:8790/?a=1&amp;b=2");
    expect(page).toContain("test &lt;cpu&gt;");
    expect(page).not.toContain("<script>");
    expect(page.match(/<polyline /g)).toHaveLength(4);
    expect(page).toContain("<title>1 errors at 0 s</title>");
  });
});
