import { env } from "cloudflare:workers";
import { UserShardActor as UserShardActorBase } from "./actors/user-shard/actor";
import type { Env } from "./env";
import { app } from "./router/app";
import { loadConfig } from "./config";
import { CallCounter, countedFetch, countingEnv, countSqlRows, metricsEnabled } from "./router/metrics";

export { KeyManagerActor } from "./actors/key-manager/actor";
export { ShardDirectoryActor } from "./actors/directory/actor";

// Validate configuration when the worker starts, so a misconfigured deployment
// fails at startup with a message naming the variable, not on some later request.
loadConfig(env as unknown as Env);

const metrics = metricsEnabled(env as unknown as Env);

/**
 * In load/metrics mode the shard also counts the D1 statements it makes on its own
 * (the outbox flush to audit_log runs from its alarm, not per request) and the rows
 * its SQLite reads and writes.
 */
class CountedUserShardActor extends UserShardActorBase {
  constructor(ctx: DurableObjectState, actorEnv: Env) {
    const counter = new CallCounter("(actor) UserShardActor");
    super(ctx, countingEnv(actorEnv, counter));
    countSqlRows(ctx.storage, counter);
  }
}

export const UserShardActor = metrics ? CountedUserShardActor : UserShardActorBase;

export default {
  fetch: metrics ? (request, workerEnv, ctx) => countedFetch(request, workerEnv, ctx, app.fetch) : app.fetch,
  // Audit events from the shards' outboxes (and the dead-letter queue's second chance).
  // Queue consumers and the cron load their code with their first batch (src/router/lazy.ts).
  async queue(batch, workerEnv) {
    // Back-channel logout notifications (and their dead letters); everything else is audit.
    if (/-logout(-dlq)?$/.test(batch.queue)) {
      const { deliverBackchannel, registryTargets } = await import("./router/logout/backchannel");
      await deliverBackchannel(batch, workerEnv, registryTargets(workerEnv, loadConfig(workerEnv)), { deadLetter: batch.queue.endsWith("-dlq") });
      return;
    }
    // CIBA notifications: the authentication device, client ping and push (and their dead letters).
    if (/-notify(-dlq)?$/.test(batch.queue)) {
      const { deliverCibaBatch } = await import("./router/ciba/deliver");
      await deliverCibaBatch(batch, workerEnv, { deadLetter: batch.queue.endsWith("-dlq") });
      return;
    }
    // Email: codes, magic links and password resets (and their dead letters).
    if (/-email(-dlq)?$/.test(batch.queue)) {
      const { deliverEmailBatch } = await import("./email/deliver");
      await deliverEmailBatch(batch, workerEnv, { deadLetter: batch.queue.endsWith("-dlq") });
      return;
    }
    const { consumeAuditBatch } = await import("./audit/consumer");
    if (!metrics) {
      await consumeAuditBatch(batch, workerEnv);
      return;
    }
    // Load mode: the consumer's D1 statements and archive writes count as one "request" per batch.
    const counter = new CallCounter("(consumer) audit");
    const started = Date.now();
    counter.audit(batch.messages.length, batch.messages.reduce((n, m) => n + ((m.body as { events?: unknown[] })?.events?.length ?? 0), 0));
    await consumeAuditBatch(batch, countingEnv(workerEnv, counter)).finally(() => counter.finish(200, Date.now() - started));
  },
  // Cron: audit retention in D1.
  async scheduled(_controller, workerEnv) {
    const { runAuditRetention } = await import("./audit/retention");
    await runAuditRetention(workerEnv);
    // LDAP / Active Directory: users and groups synced from the directory (nothing without LDAP_URL).
    const { scheduledDirectorySync } = await import("./router/ldap/sync");
    await scheduledDirectorySync(workerEnv);
  },
} satisfies ExportedHandler<Env>;
