import type { Config } from "../../config";
import type { DeviceJob } from "../../ciba/message";
import { approvalLink } from "./ids";

/**
 * The authentication device channel (CIBA Core §8: the OP reaches the user on their
 * device). Pluggable: a `Notifier` gets each `ciba.requested` job and answers whether it
 * was delivered. The real one POSTs a signed webhook to CIBA_NOTIFIER_URL, where the
 * operator's push service (app push, SMS, e-mail) takes over; without a URL, nothing is
 * sent and `/dev/ciba` lists the request locally.
 *
 * Signed with HMAC-SHA-256, not a JWS: the receiver is the operator's own service, which
 * already shares a secret with us; it needs no key discovery and verifies with one
 * standard-library call. Header `Authshard-Signature: t=<unix seconds>,v1=<hex>` over
 * `<t>.<body>`, so a receiver can refuse a replay by the timestamp.
 */
export type Notifier = (job: DeviceJob, clientName: string) => Promise<"delivered" | "skipped" | "failed">;

export const WEBHOOK_TIMEOUT_MS = 5_000;

export async function webhookSignature(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${body}`)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The webhook's JSON: who is asked, by which client, for what, and where to answer. */
export function webhookBody(config: Config, job: DeviceJob, clientName: string): Record<string, unknown> {
  return {
    type: "ciba.authentication_request",
    id: job.event_id,
    user_id: job.user_id,
    client_id: job.client_id,
    client_name: clientName,
    scope: job.scope,
    binding_message: job.binding_message,
    approve_url: approvalLink(config.issuer, job.bucket, job.request_id),
    expires_at: Math.floor(job.expires_at / 1000),
  };
}

export function webhookNotifier(config: Config, fetcher: typeof fetch = fetch): Notifier {
  return async (job, clientName) => {
    const { notifierUrl, notifierSecret } = config.ciba;
    if (notifierUrl === null || notifierSecret === null) return "skipped";
    const body = JSON.stringify(webhookBody(config, job, clientName));
    const t = Math.floor(Date.now() / 1000);
    try {
      const response = await fetcher(notifierUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Authshard-Signature": `t=${t},v1=${await webhookSignature(notifierSecret, t, body)}` },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300 ? "delivered" : "failed";
    } catch {
      return "failed";
    }
  };
}
