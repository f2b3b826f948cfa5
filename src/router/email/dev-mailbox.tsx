import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { OAuthError } from "../errors";
import type { PagesEnv } from "../pages/env";
import { contentSecurityPolicy, Layout, pageSecurity } from "../views/layout";

/** Messages listed, newest first. */
const LISTED = 50;

interface MailRow {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  created_at: number;
}

/**
 * GET /dev/mail: the development mailbox (EMAIL_SENDER=dev), so codes and links work with
 * `npm start` and no mail account. Local mode only (DEV_MAILBOX, on under `wrangler dev`,
 * off in env.production): 404 otherwise. JSON for `Accept: application/json`, `?to=` filters.
 */
async function devMailbox(c: Context<PagesEnv>): Promise<Response> {
  if (!c.var.config.email.devMailbox) throw new OAuthError("not_found", 404, "no such endpoint");
  const to = c.req.query("to")?.trim().toLowerCase() ?? null;
  const statement = to
    ? c.env.DB.prepare("SELECT * FROM dev_mailbox WHERE to_address = ? ORDER BY created_at DESC, id DESC LIMIT ?").bind(to, LISTED)
    : c.env.DB.prepare("SELECT * FROM dev_mailbox ORDER BY created_at DESC, id DESC LIMIT ?").bind(LISTED);
  const { results } = await statement.all<MailRow>();
  const messages = results.map((r) => ({ id: r.id, to: r.to_address, subject: r.subject, text: r.body, at: new Date(r.created_at).toISOString() }));
  if ((c.req.header("Accept") ?? "").includes("application/json")) return c.json({ messages });
  const security = pageSecurity();
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  return c.html(
    <Layout title="Development mailbox" security={security}>
      <h1>Development mailbox</h1>
      {messages.length === 0 ? <p class="muted">No messages yet.</p> : null}
      {messages.map((m) => (
        <article class="mail">
          <p class="muted">{m.at} — to {m.to}</p>
          <h2>{m.subject}</h2>
          <pre>{m.text}</pre>
        </article>
      ))}
    </Layout>,
  );
}

export const devMailboxPage = new Hono<PagesEnv>().get("/dev/mail", devMailbox);
