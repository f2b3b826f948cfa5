import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { adminClient } from "../../cli/lib/admin-client.ts";

let server: Server | undefined;

/** An operator API on a loopback port that answers 429 (Retry-After: 1) `refusals` times, then 200. */
async function limitedApi(refusals: number): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (requests.length <= refusals) {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
      res.end(JSON.stringify({ error: "rate_limited", error_description: "too many operator API requests with this token" }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe("operator CLI: the API's rate limit", () => {
  it("waits Retry-After on a 429 and sends the request again (it was refused before being handled)", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const api = await limitedApi(1);
    const started = Date.now();
    const res = await adminClient({ url: api.url, token: "t".repeat(32) }).request("POST", "/admin/shards/moves/7/run", { holder: "me" });
    expect(res.status).toBe(200);
    expect(api.requests).toEqual(["POST /admin/shards/moves/7/run", "POST /admin/shards/moves/7/run"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^rate limited by http:\/\/127\.0\.0\.1:\d+: waiting 1 s \(too many operator API requests/);
  });
});
