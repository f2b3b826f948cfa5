// Writes a run's report as JSON and HTML under load/reports/ (git-ignored).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOAD_DIR } from "../state.ts";
import { renderHtml } from "./html.ts";
import type { LoadReport } from "./types.ts";

export const REPORTS_DIR = join(LOAD_DIR, "reports");

/** An ISO time as it appears in report file names (no ':' or '.'). */
export const fileStamp = (iso: string): string => iso.replace(/[:.]/g, "-");

export function writeReport(report: LoadReport): { json: string; html: string } {
  mkdirSync(REPORTS_DIR, { recursive: true });
  const stamp = fileStamp(report.startedAt);
  const json = join(REPORTS_DIR, `load-${report.mode}-${stamp}.json`);
  const html = join(REPORTS_DIR, `load-${report.mode}-${stamp}.html`);
  writeFileSync(json, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(html, renderHtml(report));
  // Stable names for the latest run, so tools (capacity.ts) and people find it.
  writeFileSync(join(REPORTS_DIR, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(join(REPORTS_DIR, "latest.html"), renderHtml(report));
  return { json, html };
}
