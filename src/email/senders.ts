import type { EmailConfig } from "../config";
import type { Env } from "../env";
import type { EmailSender, OutgoingEmail } from "./message";

/** Messages the development mailbox keeps; older ones are deleted as new ones arrive. */
export const DEV_MAILBOX_SIZE = 200;
/** How long the HTTP mail API may take; a hung one must not hold the batch. */
const HTTP_TIMEOUT_MS = 10_000;

/**
 * EMAIL_SENDER=dev: the message lands in D1's dev_mailbox, read at GET /dev/mail. The job
 * id is the primary key, so a redelivered job is stored once. Bounded: the newest
 * DEV_MAILBOX_SIZE messages stay.
 */
export function devMailboxSender(db: D1Database): EmailSender {
  return {
    async send(message) {
      await db.batch([
        db.prepare("INSERT INTO dev_mailbox (id, to_address, subject, body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING").bind(message.id, message.to, message.subject, message.text, Date.now()),
        db.prepare("DELETE FROM dev_mailbox WHERE id NOT IN (SELECT id FROM dev_mailbox ORDER BY created_at DESC, id DESC LIMIT ?)").bind(DEV_MAILBOX_SIZE),
      ]);
    },
  };
}

/**
 * EMAIL_SENDER=http: one POST per message to EMAIL_HTTP_URL with `Authorization: Bearer
 * EMAIL_HTTP_KEY` and the JSON body `{ from, to: [address], subject, text }` — the shape
 * of the common providers' send endpoints (Resend's /emails, for one). The job id goes
 * in `Idempotency-Key`. Any answer but 2xx is a failure the queue retries.
 */
export function httpSender(url: string, key: string, fetcher: typeof fetch = fetch): EmailSender {
  return {
    async send(message) {
      const response = await fetcher(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}`, "Idempotency-Key": message.id },
        body: JSON.stringify(httpBody(message)),
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`mail API answered ${response.status}`);
    },
  };
}

export function httpBody(message: OutgoingEmail): { from: string; to: string[]; subject: string; text: string } {
  return { from: message.from, to: [message.to], subject: message.subject, text: message.text };
}

/**
 * EMAIL_SENDER=cloudflare: Cloudflare Email Service through the `send_email` binding
 * (EMAIL), with its structured message, so no MIME is built here. The From address
 * must be on a domain onboarded to Email Service.
 */
export function cloudflareSender(binding: SendEmail | undefined): EmailSender {
  return {
    async send(message) {
      if (!binding) throw new Error("EMAIL_SENDER=cloudflare needs the send_email binding EMAIL (wrangler.jsonc)");
      await binding.send({ from: message.from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}

export function senderFor(env: Env, config: EmailConfig, fetcher?: typeof fetch): EmailSender {
  if (config.sender === "http") return httpSender(config.httpUrl!, config.httpKey!, fetcher);
  if (config.sender === "cloudflare") return cloudflareSender(env.EMAIL);
  return devMailboxSender(env.DB);
}
