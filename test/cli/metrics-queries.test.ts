import { describe, expect, it } from "vitest";
import { formatRows, metricsQueries, runQuery } from "../../cli/lib/metrics-queries.ts";

describe("npm run metrics: the operator's Analytics Engine queries", () => {
  it("every query reads the request dataset over the asked window, weighting by the sample interval", () => {
    const queries = metricsQueries(6);
    expect(queries.map((q) => q.name)).toEqual(["endpoints", "budget", "shards", "errors"]);
    for (const q of queries) {
      expect(q.sql).toContain("FROM authshard_requests WHERE timestamp > NOW() - INTERVAL '6' HOUR");
      expect(q.sql).toContain("_sample_interval");
    }
    // The budget query divides the weighted sums of actor calls (double3) and D1 statements (double4) by requests.
    expect(metricsQueries(1)[1]!.sql).toMatch(/SUM\(double3 \* _sample_interval\) \/ SUM\(_sample_interval\) AS actor_calls_per_request/);
    expect(metricsQueries(1)[1]!.sql).toMatch(/SUM\(double4 \* _sample_interval\) \/ SUM\(_sample_interval\) AS d1_statements_per_request/);
  });

  it("runs a query through the SQL API with the token and prints its rows as a table", async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response(JSON.stringify({ data: [{ endpoint: "/token", requests: 1200, actor_calls_per_request: 1, d1_statements_per_request: 0 }] }));
    }) as unknown as typeof fetch;
    const answer = await runQuery(fakeFetch, "acc123", "tok", "SELECT 1");
    expect(seen[0]!.url).toBe("https://api.cloudflare.com/client/v4/accounts/acc123/analytics_engine/sql");
    expect((seen[0]!.init.headers as Record<string, string>).Authorization).toBe("Bearer tok");
    expect(seen[0]!.init.body).toBe("SELECT 1\nFORMAT JSON");
    expect(formatRows(answer.data)).toBe(
      "endpoint  requests  actor_calls_per_request  d1_statements_per_request\n/token    1200      1                        0",
    );
  });

  it("an API error is reported with its status, not as an empty table", async () => {
    const failing = (async () => new Response("authentication error", { status: 403 })) as unknown as typeof fetch;
    await expect(runQuery(failing, "acc", "bad", "SELECT 1")).rejects.toThrow(/answered 403: authentication error/);
  });
});
