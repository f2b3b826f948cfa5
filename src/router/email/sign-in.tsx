import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { Config } from "../../config";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { hashPassword, MAX_PASSWORD_LENGTH } from "../../oauth/password";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { afterShard, askFor, showLogin } from "../authorize/flow";
import { openInteraction, signInteraction, csrfCookie } from "../authorize/interaction";
import type { AuthorizationRequest } from "../authorize/request";
import { writeSessionCookie } from "../authorize/session-cookie";
import { getClient, type RegisteredClient } from "../clients/registry";
import { userIdByEmail } from "../d1/user-emails";
import { OAuthError } from "../errors";
import { formParams } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import type { PagesEnv } from "../pages/env";
import { trustRedirect } from "../pages/errors";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { normalizeEmail } from "../users/email";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { EmailCodePage, EmailMessagePage, ResetPage } from "../views/email";
import { lookOf } from "../branding/look";
import { t } from "../../i18n";
import { bucketOfLink, CODE, codeHashOf, newChallenge, queueEmail, readHandle, writeHandle } from "./challenge";

/**
 * Sign-in by emailed code or magic link, and password reset by emailed code
 * (README "Email: codes, magic links, sign-up and password reset"). The user is found
 * by the D1 email index once, when the code is sent; each later step is one shard call.
 * An unknown address gets the same page (and a handle that matches nothing).
 */
const WRONG_CODE = "That code is not correct.";
const DEAD_CODE = "This code has expired, was used, or was mistyped too many times. Ask for a new one.";

export interface Pending {
  client: RegisteredClient;
  req: AuthorizationRequest;
  interaction: string;
}

export async function pending(c: Context<PagesEnv>, token: string | undefined): Promise<Pending> {
  const config = c.var.config;
  const { req } = await openInteraction(c, c.env, config, token);
  const client = await getClient(c.env, config, req.clientId);
  if (!client || !client.redirectUris.includes(req.redirectUri)) throw new OAuthError("invalid_request", 400, "the application is no longer registered");
  trustRedirect(c, req);
  return { client, req, interaction: token! };
}

export async function page(c: Context<PagesEnv>, req: AuthorizationRequest | null, client?: RegisteredClient) {
  const security = pageSecurity(req ? [new URL(req.redirectUri).origin] : [], [], await lookOf(c, c.var.config, client, req?.uiLocale));
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  return security;
}

async function showCode(c: Context<PagesEnv>, p: Pending, error: string | null, status: 200 | 400 = 200, reset = false) {
  const interaction = await signInteraction(c.env, c.var.config, csrfCookie(c, c.var.config), p.req);
  const security = await page(c, p.req, p.client);
  return c.html(reset ? <ResetPage security={security} interaction={interaction} error={error} /> : <EmailCodePage security={security} interaction={interaction} error={error} />, status);
}

/** Stores the challenge in the user's shard, then queues the email (the secret stays out of the audit outbox). */
async function sendChallenge(c: Context<PagesEnv>, config: Config, p: Pending, rawEmail: string, purpose: "signin" | "reset"): Promise<void> {
  const email = normalizeEmail(rawEmail);
  if (!email) return;
  const userId = await userIdByEmail(c.env.DB, email);
  const challenge = newChallenge(userId ? bucketOf(userId) : Math.floor(Math.random() * 4096));
  writeHandle(c, config, challenge.handle);
  if (!userId) return;
  const stored = {
    bucket: challenge.bucket, userId, purpose,
    handleHash: await sha256(challenge.handle), codeHash: await codeHashOf(challenge.handle, challenge.code), linkHash: await sha256(challenge.link),
    interaction: purpose === "signin" ? p.interaction : null, ttlS: config.email.codeTtlS, maxAttempts: config.email.maxAttempts,
  };
  const result = await callShard(c.env, config, challenge.bucket, (shard) => shard.startEmailChallenge(stored));
  if (!result.ok) return;
  const minutes = Math.round(config.email.codeTtlS / 60);
  // In the language of the page the person asked from (ui_locales, else Accept-Language).
  const { locale } = await lookOf(c, config, p.client, p.req.uiLocale);
  const words = { code: challenge.code, minutes };
  if (purpose === "signin") {
    const link = `${config.issuer}/email-link?t=${encodeURIComponent(challenge.link)}`;
    await queueEmail(c.env, email, t(locale, "mail.sign_in_subject", words), t(locale, "mail.sign_in_text", { ...words, link }));
  } else {
    await queueEmail(c.env, email, t(locale, "mail.reset_subject", words), t(locale, "mail.reset_text", words));
  }
}

async function requestCode(c: Context<PagesEnv>, purpose: "signin" | "reset"): Promise<Response> {
  const form = await formParams(c);
  const p = await pending(c, form.get("interaction"));
  await sendChallenge(c, c.var.config, p, form.get("email") ?? "", purpose);
  return showCode(c, p, null, 200, purpose === "reset");
}

function codeError(error: string): string {
  return error === "invalid_input" ? WRONG_CODE : DEAD_CODE;
}

async function enterCode(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  const p = await pending(c, form.get("interaction"));
  const code = (form.get("code") ?? "").trim();
  const held = readHandle(c, config);
  if (!held) return showCode(c, p, DEAD_CODE, 400);
  if (!CODE.test(code)) return showCode(c, p, WRONG_CODE, 400);
  await ensureSigningKeys(c.env, config);
  const cookie = mintArtifact("s", held.bucket);
  const session = { idHash: await sha256(cookie), sid: newId() };
  const { code: authCode, ask } = await askFor(config, p.req, held.bucket);
  const result = await callShard(c.env, config, held.bucket, async (shard) =>
    shard.redeemEmailSignIn({ bucket: held.bucket, purpose: "signin", handleHash: await sha256(held.handle), codeHash: await codeHashOf(held.handle, code), session, ask }),
  );
  if (!result.ok && ["invalid_input", "invalid_grant", "conflict"].includes(result.error)) return showCode(c, p, codeError(result.error), 400);
  if (!result.ok) throw shardFailure(result, "sign-in", "the sign-in");
  writeSessionCookie(c, config, cookie);
  return afterShard(c, c.env, config, p.client, p.req, authCode, { ...result.authorized!, ok: true });
}

async function message(c: Context<PagesEnv>, title: string, text: string, status: 200 | 400 = 400) {
  return c.html(<EmailMessagePage security={await page(c, null)} title={title} message={text} />, status);
}

/**
 * The magic link. It signs in only in the browser that asked (the handle cookie); opened
 * anywhere else it says so and stays usable there. Two shard calls: the link carries only
 * its secret, so the pending authorization comes back from the shard with the session.
 */
async function openLink(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const link = c.req.query("t");
  const bucket = bucketOfLink(link);
  if (bucket === null) return message(c, "Link not valid", "This sign-in link is not valid. Ask for a new one.");
  const held = readHandle(c, config);
  const elsewhere = () => message(c, "Open the link where you asked", "This link works only in the browser where you asked for it. Open it there, or type the code from the email there.");
  if (!held || held.bucket !== bucket) return elsewhere();
  await ensureSigningKeys(c.env, config);
  const cookie = mintArtifact("s", bucket);
  const session = { idHash: await sha256(cookie), sid: newId() };
  const result = await callShard(c.env, config, bucket, async (shard) =>
    shard.redeemEmailSignIn({ bucket, purpose: "signin", handleHash: await sha256(held.handle), linkHash: await sha256(link!), session, ask: null }),
  );
  if (!result.ok && result.error === "conflict") return elsewhere();
  if (!result.ok && result.error === "invalid_grant") return message(c, "Link expired", DEAD_CODE);
  if (!result.ok) throw shardFailure(result, "sign-in", "the sign-in");
  writeSessionCookie(c, config, cookie);
  const p = await pending(c, result.interaction ?? undefined);
  const { code, ask } = await askFor(config, p.req, bucket);
  const authorized = await callShard(c.env, config, bucket, (shard) => shard.authorize(bucket, session.idHash, ask));
  return afterShard(c, c.env, config, p.client, p.req, code, authorized);
}

async function resetWithCode(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  const p = await pending(c, form.get("interaction"));
  const code = (form.get("code") ?? "").trim();
  const password = form.get("password") ?? "";
  const held = readHandle(c, config);
  if (!held) return showCode(c, p, DEAD_CODE, 400, true);
  if (password.length < 8 || password.length > MAX_PASSWORD_LENGTH) return showCode(c, p, `Choose a password of 8 to ${MAX_PASSWORD_LENGTH} characters.`, 400, true);
  if (!CODE.test(code)) return showCode(c, p, WRONG_CODE, 400, true);
  const verifier = await hashPassword(password);
  const result = await callShard(c.env, config, held.bucket, async (shard) =>
    shard.resetPassword({ bucket: held.bucket, purpose: "reset", handleHash: await sha256(held.handle), codeHash: await codeHashOf(held.handle, code), verifier }),
  );
  if (!result.ok && ["invalid_input", "invalid_grant", "conflict"].includes(result.error)) return showCode(c, p, codeError(result.error), 400, true);
  if (!result.ok) throw shardFailure(result, "change", "the password reset");
  return showLogin(c, c.env, config, p.client, p.req, "Your password was changed and your other sessions were signed out. Sign in with the new password.", "", 200);
}

export const emailSignIn = new Hono<PagesEnv>()
  .post("/email-login", (c) => requestCode(c, "signin"))
  .post("/forgot-password", (c) => requestCode(c, "reset"))
  .post("/email-code", enterCode)
  .get("/email-link", openLink)
  .post("/reset-password", resetWithCode);
