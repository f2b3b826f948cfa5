import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { trimWindow, windowStart } from "../../src/audit/window";
import type { Env } from "../../src/env";
import worker from "../../src/index";

const DAY = 86_400_000;

async function seed(prefix: string, ages: number[]): Promise<void> {
  const now = Date.now();
  await env.DB.batch(
    ages.map((age, i) =>
      env.DB.prepare("INSERT INTO audit_log (id, at, type, user_id, client_id, bucket, shard, data) VALUES (?, ?, 'test.retention', ?, NULL, 1, 'shard-0', '{}')").bind(`${prefix}-${i}`, now - age, prefix),
    ),
  );
}

async function left(prefix: string): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE user_id = ?").bind(prefix).first<{ n: number }>())!.n;
}

describe("audit retention in D1 (AUDIT_RETENTION_DAYS, default 30)", () => {
  it("deletes only rows older than the window, in bounded batches", async () => {
    const prefix = `ret-${crypto.randomUUID()}`;
    await seed(prefix, [...Array.from({ length: 7 }, () => 31 * DAY), 29 * DAY, DAY, 0]);
    const cutoff = windowStart(Date.now(), 30);
    // Batches of 2, at most 2 per run: a bounded amount of work, with "more" when it is not done.
    expect(await trimWindow(env.DB, cutoff, 2, 2)).toEqual({ deleted: 4, more: true });
    expect(await left(prefix)).toBe(6);
    const rest = await trimWindow(env.DB, cutoff, 2, 10);
    // At least this test's three remaining old rows (other files' old rows in the shared
    // window go too); what is asserted exactly is what is left of this test's own rows.
    expect(rest.more).toBe(false);
    expect(rest.deleted).toBeGreaterThanOrEqual(3);
    expect(await left(prefix)).toBe(3);
  });

  it("the cron trigger runs it", async () => {
    const prefix = `cron-${crypto.randomUUID()}`;
    await seed(prefix, [45 * DAY, 2 * DAY]);
    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *" }), env as unknown as Env);
    expect(await left(prefix)).toBe(1);
  });
});
