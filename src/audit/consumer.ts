import { loadConfig } from "../config";
import { backoffSeconds } from "../queues/backoff";
import type { Env } from "../env";
import { archiveRecords } from "./archive";
import { AUDIT_TARGETS, isAuditMessage, packMessages, type AuditMessage, type AuditRecord, type AuditTarget } from "./message";
import { insertIntoWindow, windowStart } from "./window";

/** Seconds before a failed delivery is tried again: 10 s, doubling, at most 15 minutes. */
export const retryDelayS = (attempt: number): number => backoffSeconds(attempt, 10, 900);

export interface ConsumeOutcome {
  events: number;
  archived: string[];
  windowed: number;
  failed: AuditTarget[];
}

/**
 * The audit queue's consumer (and its dead-letter queue's): writes a batch's events to the
 * R2 archive and the D1 window, each independently.
 *
 * - Both took the events: ack.
 * - Neither did: retry the whole batch later (Queues' own retries, then the dead-letter queue).
 * - One did: ack, and send the events back to the queue marked for the other destination
 *   alone, delayed. A retry of the whole batch would merge these events with others and
 *   write them into a second archive object; this way each event reaches each destination
 *   once, unless the consumer dies between a write and its ack (then the event id, carried
 *   in every copy, lets D1 ignore it and archive readers count it once).
 *
 * Malformed messages cannot become valid by retrying: they are logged and acked.
 */
export async function consumeAuditBatch(batch: MessageBatch<unknown>, env: Env, now = Date.now()): Promise<ConsumeOutcome> {
  const config = loadConfig(env);
  const wanted = new Map<AuditTarget, AuditRecord[]>(AUDIT_TARGETS.map((t) => [t, []]));
  const valid: Message<AuditMessage>[] = [];
  let resent = 0;
  for (const message of batch.messages) {
    if (!isAuditMessage(message.body)) {
      console.error(JSON.stringify({ level: "error", event: "audit.malformed_message", queue: batch.queue, id: message.id }));
      message.ack();
      continue;
    }
    valid.push(message as Message<AuditMessage>);
    resent = Math.max(resent, message.body.resent ?? 0);
    for (const target of message.body.targets ?? AUDIT_TARGETS) {
      // The window holds what operators look up per user; routine high-volume types stay in the archive only.
      const events = target === "window" ? message.body.events.filter((e) => !config.auditWindowSkip.has(e.type)) : message.body.events;
      wanted.get(target)!.push(...events);
    }
  }
  const events = new Set([...wanted.values()].flat().map((r) => r.id)).size;
  const outcome: ConsumeOutcome = { events, archived: [], windowed: 0, failed: [] };
  if (valid.length === 0) return outcome;

  const archive = wanted.get("archive")!;
  const window = wanted.get("window")!;
  const [archived, windowed] = await Promise.allSettled([
    archive.length > 0 ? archiveRecords(env.AUDIT_ARCHIVE, archive) : Promise.resolve([]),
    window.length > 0 ? insertIntoWindow(env.DB, window, windowStart(now, config.auditRetentionDays)) : Promise.resolve(0),
  ]);
  if (archived.status === "fulfilled") outcome.archived = archived.value;
  else outcome.failed.push("archive");
  if (windowed.status === "fulfilled") outcome.windowed = windowed.value;
  else outcome.failed.push("window");

  const attempt = Math.max(resent + 1, ...valid.map((m) => m.attempts));
  if (outcome.failed.length > 0) {
    const reasons = [archived, windowed].flatMap((r) => (r.status === "rejected" ? [String(r.reason instanceof Error ? r.reason.message : r.reason)] : []));
    console.error(JSON.stringify({ level: "warn", event: "audit.delivery_failed", queue: batch.queue, failed: outcome.failed, events, attempt, error: reasons.join("; ") }));
  }
  if (outcome.failed.length === 0) {
    batch.ackAll();
  } else if (outcome.failed.length === AUDIT_TARGETS.length || !(await resend(env, wanted, outcome.failed, resent + 1))) {
    batch.retryAll({ delaySeconds: retryDelayS(attempt) });
  } else {
    batch.ackAll();
  }
  return outcome;
}

/** Sends the events of the failed destinations back to the queue, for those alone. False if the queue refused. */
async function resend(env: Env, wanted: Map<AuditTarget, AuditRecord[]>, failed: AuditTarget[], resent: number): Promise<boolean> {
  try {
    for (const target of failed) {
      for (const packed of packMessages(wanted.get(target)!)) {
        const body: AuditMessage = { ...packed, targets: [target], resent };
        await env.AUDIT_QUEUE.send(body, { contentType: "json", delaySeconds: retryDelayS(resent) });
      }
    }
    return true;
  } catch {
    return false;
  }
}
