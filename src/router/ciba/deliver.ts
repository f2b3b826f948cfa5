import type { AuditMessage, AuditRecord } from "../../audit/message";
import { eventId } from "../../audit/event-id";
import { isCibaJob, type CibaJob, type ClientJob, type PushJob } from "../../ciba/message";
import { loadConfig, type Config } from "../../config";
import type { Env } from "../../env";
import { mintRefreshToken } from "../../oauth/artifacts";
import { AUTH_REQ_ID_CLAIM } from "../../oauth/ciba";
import { accessTokenHash } from "../../oauth/claims";
import { sha256 } from "../../oauth/secrets";
import { getClient, type RegisteredClient } from "../clients/registry";
import { ensureSigningKeys } from "../keys/cache";
import { retryDelayS } from "../logout/backchannel";
import { callShard } from "../shards/call";
import { issueTokens } from "../tokens/issue";
import { authReqIdOf, grantIdOf } from "./ids";
import { webhookNotifier, type Notifier } from "./notify";

/** How long a client's notification endpoint may take; a hung one must not hold the batch. */
const CLIENT_TIMEOUT_MS = 5_000;

type Outcome = "ack" | "retry";

/**
 * The notify queue's consumer (and, with `deadLetter`, its dead-letter queue's). Jobs
 * (src/ciba/message.ts): `device` → the authentication device channel; `client` → a ping
 * (§10.2) POSTed at once, or a push (§10.3, §12) whose body is built once — the shard
 * redeems the request in the same call, so a redelivered job finds it redeemed and signs
 * nothing twice — and re-queued as a `push` job; `push` → that same body POSTed until the
 * client takes it. Failures retry with the logout consumer's backoff; the dead-letter
 * queue's consumer records `ciba.delivery_failed`.
 */
export async function deliverCibaBatch(batch: MessageBatch<unknown>, env: Env, options: { deadLetter?: boolean; notifier?: Notifier; fetcher?: typeof fetch } = {}): Promise<void> {
  const config = loadConfig(env);
  const notifier = options.notifier ?? webhookNotifier(config, options.fetcher);
  const fetcher = options.fetcher ?? fetch;
  const events: AuditRecord[] = [];
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = message.body;
      if (!isCibaJob(job)) {
        console.error(JSON.stringify({ level: "error", event: "ciba.malformed_job", queue: batch.queue, id: message.id }));
        message.ack();
        return;
      }
      if (options.deadLetter) {
        events.push(record(job, "ciba.delivery_failed", { kind: job.kind, attempts: message.attempts }));
        message.ack();
        return;
      }
      let outcome: Outcome;
      try {
        outcome = await deliverOne(env, config, job, notifier, fetcher, events);
      } catch (error) {
        console.log(JSON.stringify({ level: "warn", event: "ciba.attempt_failed", kind: job.kind, client_id: job.client_id, error: String(error), attempt: message.attempts }));
        outcome = "retry";
      }
      if (outcome === "ack") message.ack();
      else message.retry({ delaySeconds: retryDelayS(message.attempts) });
    }),
  );
  if (events.length > 0) {
    const body: AuditMessage = { v: 1, events };
    await env.AUDIT_QUEUE.send(body, { contentType: "json" }).catch((e: unknown) => {
      console.error(JSON.stringify({ level: "error", event: "ciba.audit_lost", events: events.length, error: String(e) }));
    });
  }
}

async function deliverOne(env: Env, config: Config, job: CibaJob, notifier: Notifier, fetcher: typeof fetch, events: AuditRecord[]): Promise<Outcome> {
  const client = await getClient(env, config, job.client_id);
  if (job.kind === "device") {
    const sent = await notifier(job, client?.clientName ?? job.client_id);
    if (sent === "delivered") events.push(record(job, "ciba.device_notified", {}));
    return sent === "failed" ? "retry" : "ack";
  }
  const endpoint = client?.backchannelClientNotificationEndpoint ?? null;
  if (!client || endpoint === null) return "ack";
  if (job.kind === "push") return postToClient(fetcher, endpoint, job.notification_token, job.body, job, events);
  return clientJob(env, config, client, endpoint, job, fetcher, events);
}

/** A ping or push job straight from the outbox: one shard call says what to send. */
async function clientJob(env: Env, config: Config, client: RegisteredClient, endpoint: string, job: ClientJob, fetcher: typeof fetch, events: AuditRecord[]): Promise<Outcome> {
  const secret = config.ciba.secret;
  if (secret === null) return "ack";
  const authReqId = await authReqIdOf(secret, job.bucket, job.request_id);
  const refresh = job.mode === "push" && client.grantTypes.has("refresh_token") ? mintRefreshToken(job.bucket, await grantIdOf(authReqId)) : null;
  if (job.mode === "push") await ensureSigningKeys(env, config);
  const input = {
    bucket: job.bucket,
    requestId: job.request_id,
    refreshTokenHash: refresh === null ? null : await sha256(refresh),
    grantTtlS: config.accessTokenTtlS,
    offlineTtlS: config.refreshMaxTtlS,
  };
  const found = await callShard(env, config, job.bucket, (shard) => shard.deliverCiba(input));
  if (!found.ok) return found.error === "not_found" ? "ack" : "retry";
  if (found.mode === "ping") return postToClient(fetcher, endpoint, found.notificationToken, { auth_req_id: authReqId }, job, events);
  const outcome = found.outcome;
  if (outcome.status === "already_delivered" || outcome.status === "pending") return "ack";
  let body: Record<string, unknown>;
  if (outcome.status === "approved") {
    const redeemed = { user: outcome.user, scope: outcome.scope, authTime: outcome.authTime, nonce: null, acr: outcome.acr, amr: outcome.amr, sid: null };
    const withRefresh = outcome.refreshIssued && refresh !== null;
    const idTokenClaims = { [AUTH_REQ_ID_CLAIM]: authReqId, ...(withRefresh ? { rt_hash: await accessTokenHash(refresh) } : {}) };
    const tokens = await issueTokens(env, config, { client, grantId: outcome.grantId, redeemed, idTokenClaims });
    body = { auth_req_id: authReqId, ...tokens, ...(withRefresh ? { refresh_token: refresh } : {}) };
  } else {
    const description = outcome.status === "access_denied" ? "the user denied the request" : "the request expired before the user answered";
    body = { auth_req_id: authReqId, error: outcome.status, error_description: description };
  }
  // Signed once: from here the same body is retried as a push job until the client takes it.
  const push: PushJob = { v: 1, kind: "push", event_id: job.event_id, client_id: job.client_id, request_id: job.request_id, bucket: job.bucket, notification_token: found.notificationToken, body };
  await env.NOTIFY_QUEUE.send(push, { contentType: "json" });
  return "ack";
}

/** §10.2 / §10.3: POST JSON with the client's notification token as a bearer token; 2xx acknowledges. */
async function postToClient(fetcher: typeof fetch, endpoint: string, token: string, body: Record<string, unknown>, job: CibaJob, events: AuditRecord[]): Promise<Outcome> {
  const response = await fetcher(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    redirect: "manual",
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (response.status < 200 || response.status >= 300) throw new Error(`notification endpoint answered ${response.status}`);
  events.push(record(job, "ciba.client_notified", { kind: job.kind, status: response.status }));
  return "ack";
}

function record(job: CibaJob, type: string, data: Record<string, unknown>): AuditRecord {
  const now = Date.now();
  return { id: eventId(now), at: now, type, user_id: null, client_id: job.client_id, bucket: job.bucket, shard: null, data: { ...data, ciba_request: job.request_id, cause: job.event_id } };
}

