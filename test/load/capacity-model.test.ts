import { describe, expect, it } from "vitest";
import { costModel, CONSUMER_BATCH_SECONDS, FLUSH_DELAY_S } from "../../load/capacity-model.ts";
import type { LoadReport, MetricsType, ScenarioResult } from "../../load/report/types.ts";

const SECONDS_PER_MONTH = 30 * 86_400;

function metrics(requests: number, extra: Partial<MetricsType> = {}): MetricsType {
  return { requests, actorCalls: requests, d1Queries: 0, wallMs: 0, actorMethods: {}, statuses: {}, perRequest: { actorCalls: requests ? 1 : 0, d1Queries: 0, wallMs: 0 }, ...extra };
}

function scenario(name: string, type: string, requests: number, own: Record<string, MetricsType>): ScenarioResult {
  return { name, metrics: { [type]: metrics(requests), ...own } } as unknown as ScenarioResult;
}

/** A report where each /token request sent one audit event and the consumer archived them at 60 bytes each. */
function report(): LoadReport {
  const consumer = metrics(10, { auditEvents: 1000, r2Writes: 10, r2Bytes: 60_000, d1Queries: 0 });
  return {
    scenarios: [
      scenario("test1", "POST /token authorization_code", 1000, { "(actor) UserShardActor": metrics(0, { auditEvents: 1000, auditMessages: 100 }), "(consumer) audit": consumer }),
      scenario("test2", "POST /token refresh_token", 1000, { "(actor) UserShardActor": metrics(0, { auditEvents: 1000, auditMessages: 100 }) }),
      scenario("userinfo", "GET /userinfo bearer", 1000, { "(actor) UserShardActor": metrics(0) }),
      scenario("authorize", "GET /authorize session", 1000, { "(actor) UserShardActor": metrics(0) }),
    ],
  } as unknown as LoadReport;
}

describe("capacity model: the audit pipeline at 10M MAU", () => {
  const m = costModel(report(), null);
  const tokenRequests = m.types.filter((t) => t.type.startsWith("POST /token")).reduce((n, t) => n + t.monthly, 0);

  it("counts one archived event per token request and none for /userinfo or /authorize", () => {
    expect(m.types.map((t) => [t.type, t.auditEvents])).toEqual([
      ["GET /authorize session", 0],
      ["POST /token authorization_code", 1],
      ["POST /token refresh_token", 1],
      ["GET /userinfo bearer", 0],
    ]);
    expect(m.audit.eventsPerMonth).toBeCloseTo(tokenRequests);
  });

  it("writes no D1 row for them: the window leaves token.issued out", () => {
    expect(m.audit.windowRowsWrittenPerMonth).toBe(0);
    expect(m.cost.d1).toBe(0);
  });

  it("sends at most one queue message per shard flush, three operations each", () => {
    expect(m.audit.messagesPerMonth).toBe(Math.min(m.audit.eventsPerMonth, (m.shards * SECONDS_PER_MONTH) / FLUSH_DELAY_S));
    expect(m.audit.queueOperationsPerMonth).toBe(3 * m.audit.messagesPerMonth);
    expect(m.cost.queues).toBeCloseTo(((m.audit.queueOperationsPerMonth - 1e6) / 1e6) * 0.4);
  });

  it("archives at the measured bytes per event, one object per consumer batch", () => {
    expect(m.audit.bytesPerEvent).toBe(60);
    expect(m.audit.archiveGbPerMonth).toBeCloseTo((m.audit.eventsPerMonth * 60) / 1e9);
    expect(m.audit.archivePutsPerMonth).toBeGreaterThanOrEqual(SECONDS_PER_MONTH / CONSUMER_BATCH_SECONDS);
  });
});
