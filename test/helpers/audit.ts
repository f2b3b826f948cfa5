import { createMessageBatch, env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { flushOutboxBatch } from "../../src/actors/user-shard/outbox";
import { consumeAuditBatch, type ConsumeOutcome } from "../../src/audit/consumer";
import { partitionOf, readArchiveObject } from "../../src/audit/archive";
import type { AuditMessage, AuditRecord } from "../../src/audit/message";
import type { BackchannelJob } from "../../src/backchannel/message";
import { stubFor } from "../../src/shard/stub";

/** A queue that keeps what it is sent, for tests that drive the consumer themselves. */
export function recordingQueue(sent: AuditMessage[] = []): Queue<AuditMessage> & { sent: AuditMessage[] } {
  return {
    sent,
    async send(body: AuditMessage) {
      sent.push(body);
    },
    async sendBatch(messages: Iterable<MessageSendRequest<AuditMessage>>) {
      for (const m of messages) sent.push(m.body);
    },
    async metrics() {
      return { backlogCount: 0, backlogBytes: 0 };
    },
  } as unknown as Queue<AuditMessage> & { sent: AuditMessage[] };
}

/** A message batch as the queue would hand it to the consumer. */
export function batchOf(bodies: readonly AuditMessage[], attempts = 1, queue = "authshard-audit"): MessageBatch<AuditMessage> {
  return createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m-${crypto.randomUUID()}-${i}`, timestamp: new Date(), attempts, body })),
  );
}

/**
 * Drains a shard's outbox into a recording queue (the shard's own flush code) and returns the
 * messages; back-channel logout jobs go to `jobs` when given.
 */
export async function drainOutbox(shard: string, jobs?: BackchannelJob[]): Promise<AuditMessage[]> {
  const queue = recordingQueue();
  const logoutQueue = jobs ? (recordingQueue(jobs as unknown as AuditMessage[]) as unknown as Queue<BackchannelJob>) : undefined;
  await runInDurableObject(stubFor(env, shard), async (_instance, state) => {
    for (;;) if (!(await flushOutboxBatch(drizzle(state.storage), queue, shard, logoutQueue)).more) break;
  });
  return queue.sent;
}

/**
 * Delivers a shard's pending audit events the whole way, now: outbox → consumer → D1 window
 * and R2 archive, without waiting for the flush alarm or the queue's batch timeout.
 */
export async function deliverAudit(shard: string): Promise<ConsumeOutcome | null> {
  const sent = await drainOutbox(shard);
  return sent.length === 0 ? null : consumeAuditBatch(batchOf(sent), env);
}

/** Every archived copy of the events of `userId` in the hour partitions around now, repeats included. */
export async function archivedFor(userId: string): Promise<AuditRecord[]> {
  const now = Date.now();
  const prefixes = new Set([partitionOf(now - 3_600_000), partitionOf(now), partitionOf(now + 3_600_000)]);
  const found: AuditRecord[] = [];
  for (const prefix of prefixes) {
    const listed = await env.AUDIT_ARCHIVE.list({ prefix });
    for (const object of listed.objects) {
      const body = await env.AUDIT_ARCHIVE.get(object.key);
      found.push(...(await readArchiveObject(body!)).filter((r) => r.user_id === userId));
    }
  }
  return found;
}
