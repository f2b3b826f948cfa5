import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { deliverEmailBatch } from "../../src/email/deliver";
import type { EmailJob } from "../../src/email/message";
import { devMailboxSender, DEV_MAILBOX_SIZE, httpSender } from "../../src/email/senders";
import type { Env } from "../../src/env";
import { call } from "../helpers/http";
import { mailTo } from "./helpers";

/** The email adapters and the email queue's consumer (README "Email: codes, magic links, sign-up and password reset"). */

const job = (to: string, id = crypto.randomUUID()): EmailJob => ({ v: 1, id, to, subject: "Your sign-in code: 123456", text: "Your sign-in code is 123456." });
const mail = (j: EmailJob) => ({ ...j, from: "no-reply@authshard.localhost" });

interface Received {
  authorization: string | null;
  contentType: string | null;
  body: unknown;
  status: number;
}
async function received(key: string): Promise<Received[]> {
  return (await env.RP_RECEIVER.fetch(`http://rp/received?key=${key}`)).json();
}

describe("email senders", () => {
  it("dev: the message lands in the development mailbox once, however often it is delivered", async () => {
    const to = `dev-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const one = job(to);
    const sender = devMailboxSender(env.DB);
    await sender.send(mail(one));
    await sender.send(mail(one));
    const messages = await mailTo(to);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ id: one.id, to, subject: one.subject, text: one.text });
  });

  it("dev: the mailbox keeps only the newest messages", async () => {
    const to = `many-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const sender = devMailboxSender(env.DB);
    for (let i = 0; i < DEV_MAILBOX_SIZE + 3; i++) await sender.send(mail(job(to)));
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM dev_mailbox").first<{ n: number }>())!;
    expect(n).toBe(DEV_MAILBOX_SIZE);
  });

  it("http: POSTs { from, to: [..], subject, text } with the bearer key", async () => {
    const key = crypto.randomUUID();
    const one = job("ada@example.com");
    await httpSender(`https://mail.example/json/${key}`, "mail-api-key").send(mail(one));
    const [got] = await received(key);
    expect(got!.authorization).toBe("Bearer mail-api-key");
    expect(got!.contentType).toBe("application/json");
    expect(got!.body).toEqual({ from: "no-reply@authshard.localhost", to: ["ada@example.com"], subject: one.subject, text: one.text });
  });

  it("http: an answer other than 2xx is a failure", async () => {
    const key = crypto.randomUUID();
    await expect(httpSender(`https://mail.example/flaky-json-1/${key}`, "k").send(mail(job("a@example.com")))).rejects.toThrow(/503/);
  });

  it("the consumer retries a failed send with backoff and acks a sent one", async () => {
    const key = crypto.randomUUID();
    const sender = httpSender(`https://mail.example/flaky-json-1/${key}`, "k");
    const first = createMessageBatch("authshard-email", [{ id: "m1", timestamp: new Date(), attempts: 1, body: job("a@example.com") }]);
    await deliverEmailBatch(first, env as unknown as Env, { sender });
    const ctx1 = createExecutionContext();
    const r1 = await getQueueResult(first, ctx1);
    expect(r1.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
    expect(r1.explicitAcks).toEqual([]);
    const second = createMessageBatch("authshard-email", [{ id: "m1", timestamp: new Date(), attempts: 2, body: job("a@example.com") }]);
    await deliverEmailBatch(second, env as unknown as Env, { sender });
    const r2 = await getQueueResult(second, createExecutionContext());
    expect(r2.explicitAcks).toEqual(["m1"]);
    expect((await received(key)).map((r) => r.status)).toEqual([503, 204]);
  });

  it("the worker's queue handler routes the email queue and its dead-letter queue", async () => {
    const to = `queue-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const batch = createMessageBatch("authshard-email", [{ id: "q1", timestamp: new Date(), attempts: 1, body: job(to) }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as unknown as Env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["q1"]);
    expect(await mailTo(to)).toHaveLength(1);
    // Dead letters are logged and dropped, not sent.
    const lost = `lost-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const dead = createMessageBatch("authshard-email-dlq", [{ id: "d1", timestamp: new Date(), attempts: 6, body: job(lost) }, { id: "d2", timestamp: new Date(), attempts: 1, body: { junk: true } as unknown as EmailJob }]);
    const ctx2 = createExecutionContext();
    await worker.queue(dead as MessageBatch<never>, env as unknown as Env);
    expect((await getQueueResult(dead, ctx2)).explicitAcks.sort()).toEqual(["d1", "d2"]);
    expect(await mailTo(lost)).toEqual([]);
  });

  it("the dev mailbox answers 404 when DEV_MAILBOX is off (env.production)", async () => {
    expect((await call("/dev/mail")).status).toBe(200);
    const off = { ...(env as unknown as Env), DEV_MAILBOX: "off" };
    const res = await worker.fetch!(new Request("http://127.0.0.1:8787/dev/mail"), off, createExecutionContext());
    expect(res.status).toBe(404);
  });
});
