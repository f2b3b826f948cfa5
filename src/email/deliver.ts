import { loadConfig } from "../config";
import { backoffSeconds } from "../queues/backoff";
import type { Env } from "../env";
import { isEmailJob, type EmailSender } from "./message";
import { senderFor } from "./senders";

/** Backoff between attempts: 5 s, 10 s, 20 s, ... at most 2 minutes (a code lives 10). */
export const retryDelayS = (attempt: number): number => backoffSeconds(attempt, 5, 120);

/**
 * The email queue's consumer (and, with `deadLetter`, its dead-letter queue's): each job
 * is sent by the configured adapter; a failure is retried with a short
 * backoff; a job that reached the dead-letter queue is logged (without its text: it
 * holds a code) and dropped — the person asks for a new code.
 */
export async function deliverEmailBatch(batch: MessageBatch<unknown>, env: Env, options: { deadLetter?: boolean; sender?: EmailSender } = {}): Promise<void> {
  const config = loadConfig(env).email;
  const sender = options.sender ?? senderFor(env, config);
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = message.body;
      if (!isEmailJob(job)) {
        console.error(JSON.stringify({ level: "error", event: "email.malformed_job", queue: batch.queue, id: message.id }));
        message.ack();
        return;
      }
      if (options.deadLetter) {
        console.error(JSON.stringify({ level: "error", event: "email.undeliverable", id: job.id, attempts: message.attempts }));
        message.ack();
        return;
      }
      try {
        await sender.send({ id: job.id, from: config.from, to: job.to, subject: job.subject, text: job.text });
        message.ack();
      } catch (error) {
        console.log(JSON.stringify({ level: "warn", event: "email.attempt_failed", id: job.id, sender: config.sender, error: String(error), attempt: message.attempts }));
        message.retry({ delaySeconds: retryDelayS(message.attempts) });
      }
    }),
  );
}
