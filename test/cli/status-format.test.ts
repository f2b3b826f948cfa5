import { describe, expect, it } from "vitest";
import type { ShardView, StatusResponse } from "../../src/router/endpoints/admin/shard-responses.ts";
import { formatStatus } from "../../cli/lib/shard-format.ts";

function shard(name: string, last5m: number): ShardView {
  const requests = { last_1m: Math.round(last5m / 5), last_5m: last5m, last_15m: last5m * 3, per_minute: [], hottest_buckets: [] };
  return { name, buckets: 1024, fenced_buckets: 0, users: 10, outbox: 0, outbox_behind_s: 0, outbox_dropped: 0, applied_map_version: 7, requests };
}

function status(...loads: number[]): StatusResponse {
  return { version: 7, bucket_count: 4096, shards: loads.map((l, i) => shard(`shard-${i}`, l)), moves: { open: {}, in_flight: [] }, lease: null };
}

/** The `status` row of one shard, as an operator reads it. */
function row(text: string, name: string): string {
  return text.split("\n").find((line) => line.startsWith(`${name} `)) ?? "";
}

describe("npm run shards -- status: skew", () => {
  it("marks a shard hot when it serves well above the mean", () => {
    const text = formatStatus(status(600, 600, 600, 3000));
    expect(row(text, "shard-3")).toMatch(/ hot$/);
    for (const name of ["shard-0", "shard-1", "shard-2"]) expect(row(text, name)).not.toMatch(/hot/);
    expect(row(text, "shard-3")).toContain("3,000");
  });

  it("does not call a handful of requests skew", () => {
    const text = formatStatus(status(0, 0, 1, 0));
    expect(text).not.toMatch(/hot/);
    expect(formatStatus(status(0, 0, 299, 0))).not.toMatch(/hot/);
    expect(row(formatStatus(status(0, 0, 300, 0)), "shard-2")).toMatch(/ hot$/);
  });

  it("an even load has no hot shard, and an idle one shows no bar", () => {
    expect(formatStatus(status(1000, 1100, 950, 1050))).not.toMatch(/hot/);
    expect(row(formatStatus(status(0, 0, 0, 0)), "shard-0")).not.toMatch(/#/);
  });
});

describe("npm run shards -- status: audit delivery", () => {
  it("says nothing while the outbox keeps up, and names the shard that falls behind or drops events", () => {
    expect(formatStatus(status(10, 10))).not.toMatch(/audit behind/);
    const s = status(10, 10);
    s.shards[1] = { ...s.shards[1]!, outbox: 5400, outbox_behind_s: 3_600, outbox_dropped: 12 };
    const text = formatStatus(s);
    expect(text).toContain("audit behind on shard-1: 5400 events waiting, oldest 1h00m old, 12 dropped (outbox full)");
    expect(text).not.toMatch(/audit behind on shard-0/);
  });
});
