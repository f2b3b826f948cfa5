import type { AuditMessage, AuditRecord } from "../../audit/message";
import { eventId } from "../../audit/event-id";
import { isBackchannelJob, type BackchannelJob } from "../../backchannel/message";
import { loadConfig, type Config } from "../../config";
import type { Env } from "../../env";
import type { SigningAlg } from "../../oauth/signing-alg";
import { backoffSeconds } from "../../queues/backoff";
import { getClient, type RegisteredClient } from "../clients/registry";
import { subjectFor } from "../clients/subject";
import { signJwt } from "../keys/cache";

/** OpenID Connect Back-Channel Logout 1.0 §2.4: the `events` member of a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
/** How long a client's endpoint may take (§2.8 asks for a timely answer; a hung endpoint must not hold the batch). */
export const DELIVERY_TIMEOUT_MS = 5_000;
/** Logout tokens are short-lived: a receiver may refuse an old one (§2.6). */
const TOKEN_TTL_S = 120;

/** Where a client wants to hear of logouts, as registered. */
export interface BackchannelTarget {
  uri: string;
  sessionRequired: boolean;
  alg: SigningAlg;
  /** OIDC Core §8.1: how the client names the user; absent = by user id (public). */
  subject?: Pick<RegisteredClient, "clientId" | "subjectType" | "sectorIdentifier">;
}

export type TargetLookup = (clientId: string) => Promise<BackchannelTarget | null>;

/** Seconds before a failed delivery is tried again: 5 s, doubling, at most 5 minutes. */
export const retryDelayS = (attempt: number): number => backoffSeconds(attempt, 5, 300);

/** The same jti for every delivery of one notification, so a receiver can drop a repeat (§2.6 step 7). */
async function jtiOf(job: BackchannelJob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${job.event_id}\n${job.client_id}\n${job.sid ?? ""}`)));
  let hex = "";
  for (const b of digest.subarray(0, 16)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** The logout token (§2.4): iss, aud, iat, exp, jti, events, sub and sid; never a nonce; typ logout+jwt. */
export async function logoutToken(env: Env, config: Config, job: BackchannelJob, target: BackchannelTarget, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  const claims: Record<string, unknown> = {
    iss: config.issuer,
    aud: job.client_id,
    iat,
    exp: iat + TOKEN_TTL_S,
    jti: await jtiOf(job),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    // The sub the client knows the user by: its pairwise identifier when it is a pairwise client.
    sub: target.subject ? await subjectFor(config, target.subject, job.user_id) : job.user_id,
  };
  if (job.sid !== null) claims.sid = job.sid;
  return signJwt(env, config, target.alg, claims, { typ: "logout+jwt" });
}

export interface DeliveryOutcome {
  delivered: number;
  retried: number;
  skipped: number;
  failed: number;
}

/**
 * The logout queue's consumer (and, with `deadLetter`, its dead-letter queue's). For each job:
 * a client without a `backchannel_logout_uri` is skipped; otherwise the logout token is POSTed
 * (§2.5) and a 200 or 204 acknowledges it. Anything else (an error status, a redirect, a
 * timeout) retries the job with a growing delay; after the queue's last retry it lands in the
 * dead-letter queue, whose consumer records `backchannel.failed`. Deliveries and failures are
 * audit events. The logout that caused a job never waited for any of this.
 */
export async function deliverBackchannel(
  batch: MessageBatch<unknown>,
  env: Env,
  target: TargetLookup,
  options: { deadLetter?: boolean; fetcher?: typeof fetch } = {},
): Promise<DeliveryOutcome> {
  const config = loadConfig(env);
  const fetcher = options.fetcher ?? fetch;
  const outcome: DeliveryOutcome = { delivered: 0, retried: 0, skipped: 0, failed: 0 };
  const events: AuditRecord[] = [];
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = message.body;
      if (!isBackchannelJob(job)) {
        console.error(JSON.stringify({ level: "error", event: "backchannel.malformed_job", queue: batch.queue, id: message.id }));
        message.ack();
        return;
      }
      const where = await target(job.client_id).catch(() => undefined);
      if (where === undefined) {
        // The registry itself failed (D1 down and nothing cached): try again later.
        message.retry({ delaySeconds: retryDelayS(message.attempts) });
        outcome.retried++;
        return;
      }
      if (where === null) {
        message.ack();
        outcome.skipped++;
        return;
      }
      if (options.deadLetter) {
        events.push(record(job, "backchannel.failed", { uri: where.uri, attempts: message.attempts }));
        message.ack();
        outcome.failed++;
        return;
      }
      const started = Date.now();
      let status = 0;
      let error: string | undefined;
      try {
        const response = await fetcher(where.uri, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ logout_token: await logoutToken(env, config, job, where) }),
          redirect: "manual",
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        });
        status = response.status;
        await response.body?.cancel();
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (status === 200 || status === 204) {
        events.push(record(job, "backchannel.delivered", { uri: where.uri, status, attempts: message.attempts, ms: Date.now() - started }));
        message.ack();
        outcome.delivered++;
      } else {
        console.log(JSON.stringify({ level: "warn", event: "backchannel.attempt_failed", client_id: job.client_id, status, error, attempt: message.attempts }));
        message.retry({ delaySeconds: retryDelayS(message.attempts) });
        outcome.retried++;
      }
    }),
  );
  if (events.length > 0) {
    // The outcome is audit, not a condition of the delivery: a refused send is logged, not retried.
    const body: AuditMessage = { v: 1, events };
    await env.AUDIT_QUEUE.send(body, { contentType: "json" }).catch((e: unknown) => {
      console.error(JSON.stringify({ level: "error", event: "backchannel.audit_lost", events: events.length, error: String(e) }));
    });
  }
  return outcome;
}

function record(job: BackchannelJob, type: string, data: Record<string, unknown>): AuditRecord {
  const now = Date.now();
  return { id: eventId(now), at: now, type, user_id: job.user_id, client_id: job.client_id, bucket: null, shard: null, data: { ...data, sid: job.sid, reason: job.reason, cause: job.event_id } };
}

/** The registered back-channel logout endpoint of each client (the router's client registry and its cache). */
export function registryTargets(env: Env, config: Config): TargetLookup {
  return async (clientId) => {
    const client = await getClient(env, config, clientId);
    if (!client?.backchannelLogoutUri) return null;
    return { uri: client.backchannelLogoutUri, sessionRequired: client.backchannelLogoutSessionRequired, alg: client.idTokenSignedResponseAlg, subject: client };
  };
}
