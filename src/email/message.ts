/**
 * One email, as it travels on the email queue (EMAIL_QUEUE) from the request that
 * caused it to the consumer that sends it (./deliver.ts). `id` is chosen when the job
 * is made, so a redelivered job is recognisably the same message (the dev mailbox keeps
 * one copy; an HTTP API that honours an idempotency key gets it in the header).
 */
export interface EmailJob {
  v: 1;
  id: string;
  to: string;
  subject: string;
  text: string;
}

const MAX_FIELD = 16_384;

export function isEmailJob(value: unknown): value is EmailJob {
  if (typeof value !== "object" || value === null) return false;
  const job = value as Record<string, unknown>;
  return (
    job.v === 1 &&
    typeof job.id === "string" &&
    typeof job.to === "string" &&
    typeof job.subject === "string" &&
    typeof job.text === "string" &&
    job.id.length <= 64 &&
    job.to.length <= 254 &&
    job.subject.length <= 200 &&
    job.text.length <= MAX_FIELD
  );
}

/** What an adapter sends: the job and the configured From address. */
export interface OutgoingEmail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Sends one email; throws (or rejects) when the message was not accepted, so the queue retries it. */
export interface EmailSender {
  send(message: OutgoingEmail): Promise<void>;
}
