// The Analytics Engine queries an operator runs against a deployment's request metrics
// (dataset authshard_requests; columns as written by src/router/observability/data-point.ts).
import { METRIC_COLUMNS as C } from "../../src/router/observability/columns.ts";

export const DATASET = "authshard_requests";

export interface MetricsQuery {
  name: string;
  title: string;
  sql: string;
}

/** Rows are sampled at high volume: every count and sum is weighted by _sample_interval. */
const n = "SUM(_sample_interval)";
const weighted = (column: string) => `SUM(${column} * _sample_interval)`;
const quantile = (q: number) => `quantileExactWeighted(${q})(${C.durationMs}, _sample_interval)`;

export function metricsQueries(sinceHours: number): MetricsQuery[] {
  const where = `WHERE timestamp > NOW() - INTERVAL '${sinceHours}' HOUR`;
  return [
    {
      name: "endpoints",
      title: "Requests, errors and latency per endpoint",
      sql: `SELECT ${C.endpoint} AS endpoint, ${n} AS requests,
  SUM(IF(${C.status} >= 500, _sample_interval, 0)) AS errors_5xx,
  SUM(IF(${C.status} >= 400 AND ${C.status} < 500, _sample_interval, 0)) AS errors_4xx,
  SUM(IF(${C.status} = 429, _sample_interval, 0)) AS rate_limited,
  ${quantile(0.5)} AS p50_ms, ${quantile(0.99)} AS p99_ms
FROM ${DATASET} ${where}
GROUP BY endpoint ORDER BY requests DESC`,
    },
    {
      name: "budget",
      title: "Hot-path budget: actor calls and D1 statements per request (token/userinfo: 1 and 0)",
      sql: `SELECT ${C.endpoint} AS endpoint, ${n} AS requests,
  ${weighted(C.actorCalls)} / ${n} AS actor_calls_per_request,
  ${weighted(C.d1Statements)} / ${n} AS d1_statements_per_request
FROM ${DATASET} ${where}
GROUP BY endpoint ORDER BY requests DESC`,
    },
    {
      name: "shards",
      title: "Requests, latency and fenced retries per shard",
      sql: `SELECT ${C.shard} AS shard, ${n} AS requests, ${quantile(0.99)} AS p99_ms,
  ${weighted(C.shardRetries)} AS shard_retries,
  SUM(IF(${C.status} >= 500, _sample_interval, 0)) AS errors_5xx
FROM ${DATASET} ${where} AND ${C.shard} != ''
GROUP BY shard ORDER BY requests DESC`,
    },
    {
      name: "errors",
      title: "Most frequent error codes",
      sql: `SELECT ${C.endpoint} AS endpoint, ${C.error} AS error, ${n} AS requests
FROM ${DATASET} ${where} AND ${C.error} != ''
GROUP BY endpoint, error ORDER BY requests DESC LIMIT 20`,
    },
  ];
}

export interface SqlAnswer {
  data: Array<Record<string, string | number>>;
}

/** Runs one query through the Analytics Engine SQL API. */
export async function runQuery(fetchImpl: typeof fetch, accountId: string, token: string, sql: string): Promise<SqlAnswer> {
  const res = await fetchImpl(`https://api.cloudflare.com/client/v4/accounts/${encodeURIComponent(accountId)}/analytics_engine/sql`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: `${sql}\nFORMAT JSON`,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Analytics Engine SQL API answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as SqlAnswer;
}

export function formatRows(rows: SqlAnswer["data"]): string {
  if (rows.length === 0) return "(no rows)";
  const header = Object.keys(rows[0]!);
  const cells = rows.map((r) => header.map((h) => (typeof r[h] === "number" ? String(Math.round(Number(r[h]) * 100) / 100) : String(r[h] ?? ""))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}
