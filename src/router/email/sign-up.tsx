import { lookOf } from "../branding/look";
import { t } from "../../i18n";
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { hashPassword, MAX_PASSWORD_LENGTH } from "../../oauth/password";
import { sha256 } from "../../oauth/secrets";
import { bucketOf, newUserId } from "../../shard/bucket";
import { afterShard, askFor } from "../authorize/flow";
import { csrfCookie, signInteraction } from "../authorize/interaction";
import { writeSessionCookie } from "../authorize/session-cookie";
import { releaseEmail, reserveEmail, userIdByEmail } from "../d1/user-emails";
import { OAuthError } from "../errors";
import { formParams } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import type { PagesEnv } from "../pages/env";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { isUserId } from "../users/service";
import { normalizeEmail } from "../users/email";
import { SignupCodePage, SignupPage } from "../views/email";
import { CODE, codeHashOf, newChallenge, queueEmail, readHandle, writeHandle } from "./challenge";
import { page, pending, type Pending } from "./sign-in";

/**
 * Self-service sign-up (SIGNUP=on), from the login page of an authorization request:
 * email, name and password → a code to the address → the code creates the account
 * (email verified), signs it in and continues the authorization. Until the code is
 * entered no account exists: the pending one waits, hashed, in the bucket of the id it
 * will get. Creating it reuses the house order: the email reserved in D1 first, then
 * the user in its shard, the reservation released if that fails. An address already
 * taken gets the same page (its owner gets an email instead of a code), so sign-up tells
 * no more than the login page does.
 */
const NAME_MAX = 100;
const WRONG_CODE = "That code is not correct.";
const DEAD_CODE = "This code has expired, was used, or was mistyped too many times. Start again.";

function off(): never {
  throw new OAuthError("not_found", 404, "no such endpoint");
}

async function showForm(c: Context<PagesEnv>, p: Pending, fields: { email: string; name: string }, error: string | null) {
  const interaction = await signInteraction(c.env, c.var.config, csrfCookie(c, c.var.config), p.req);
  return c.html(<SignupPage security={await page(c, p.req, p.client)} interaction={interaction} email={fields.email} name={fields.name} error={error} />, error ? 400 : 200);
}

async function showCode(c: Context<PagesEnv>, p: Pending, user: string, email: string, error: string | null) {
  const interaction = await signInteraction(c.env, c.var.config, csrfCookie(c, c.var.config), p.req);
  return c.html(<SignupCodePage security={await page(c, p.req, p.client)} interaction={interaction} user={user} email={email} error={error} />, error ? 400 : 200);
}

/** The login page's "Create an account": the form, for the same pending authorization. */
async function start(c: Context<PagesEnv>): Promise<Response> {
  if (!c.var.config.email.signup) off();
  const form = await formParams(c);
  const p = await pending(c, form.get("interaction"));
  return showForm(c, p, { email: normalizeEmail(form.get("email") ?? "") ?? "", name: "" }, null);
}

async function submit(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  if (!config.email.signup) off();
  const form = await formParams(c);
  const p = await pending(c, form.get("interaction"));
  const rawEmail = (form.get("email") ?? "").slice(0, 300);
  const name = (form.get("name") ?? "").trim();
  const password = form.get("password") ?? "";
  const email = normalizeEmail(rawEmail);
  if (!email) return showForm(c, p, { email: rawEmail, name }, "Enter a valid email address.");
  if (name.length > NAME_MAX) return showForm(c, p, { email, name: "" }, `Your name can have at most ${NAME_MAX} characters.`);
  if (password.length < 8 || password.length > MAX_PASSWORD_LENGTH) return showForm(c, p, { email, name }, `Choose a password of 8 to ${MAX_PASSWORD_LENGTH} characters.`);
  const userId = newUserId();
  const challenge = newChallenge(bucketOf(userId));
  writeHandle(c, config, challenge.handle);
  const minutes = Math.round(config.email.codeTtlS / 60);
  // In the language of the page the person asked from (ui_locales, else Accept-Language).
  const { locale } = await lookOf(c, config, p.client, p.req.uiLocale);
  if (await userIdByEmail(c.env.DB, email)) {
    await queueEmail(c.env, email, t(locale, "mail.signup_exists_subject"), t(locale, "mail.signup_exists_text"));
    return showCode(c, p, userId, email, null);
  }
  const stored = {
    bucket: challenge.bucket, userId, purpose: "signup" as const,
    handleHash: await sha256(challenge.handle), codeHash: await codeHashOf(challenge.handle, challenge.code), linkHash: await sha256(challenge.link),
    interaction: null, ttlS: config.email.codeTtlS, maxAttempts: config.email.maxAttempts,
    pendingUser: { email, name: name || null, passwordVerifier: await hashPassword(password) },
  };
  const result = await callShard(c.env, config, challenge.bucket, (shard) => shard.startEmailChallenge(stored));
  if (!result.ok) throw shardFailure(result, "change", "the sign-up");
  await queueEmail(c.env, email, t(locale, "mail.signup_subject", { code: challenge.code }), t(locale, "mail.signup_text", { code: challenge.code, minutes }));
  return showCode(c, p, userId, email, null);
}

/** The code: the email reserved, then the account created, signed in and the authorization continued in one shard call. */
async function enterCode(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  if (!config.email.signup) off();
  const form = await formParams(c);
  const p = await pending(c, form.get("interaction"));
  const userId = form.get("user") ?? "";
  const email = normalizeEmail(form.get("email") ?? "");
  const code = (form.get("code") ?? "").trim();
  const held = readHandle(c, config);
  if (!isUserId(userId) || !email || !held || held.bucket !== bucketOf(userId)) return showForm(c, p, { email: email ?? "", name: "" }, DEAD_CODE);
  if (!CODE.test(code)) return showCode(c, p, userId, email, WRONG_CODE);
  await ensureSigningKeys(c.env, config);
  if (!(await reserveEmail(c.env.DB, email, userId))) return showForm(c, p, { email, name: "" }, DEAD_CODE);
  const cookie = mintArtifact("s", held.bucket);
  const session = { idHash: await sha256(cookie), sid: newId() };
  const { code: authCode, ask } = await askFor(config, p.req, held.bucket);
  const proof = { bucket: held.bucket, purpose: "signup" as const, handleHash: await sha256(held.handle), codeHash: await codeHashOf(held.handle, code), session, ask, signup: { userId, email } };
  let result;
  try {
    result = await callShard(c.env, config, held.bucket, (shard) => shard.redeemEmailSignIn(proof));
  } catch (error) {
    await releaseEmail(c.env.DB, email, userId);
    throw error;
  }
  if (!result.ok) await releaseEmail(c.env.DB, email, userId);
  if (!result.ok && result.error === "invalid_input") return showCode(c, p, userId, email, WRONG_CODE);
  if (!result.ok && ["invalid_grant", "conflict"].includes(result.error)) return showForm(c, p, { email, name: "" }, DEAD_CODE);
  if (!result.ok) throw shardFailure(result, "change", "the sign-up");
  writeSessionCookie(c, config, cookie);
  // Passkeys: a browser that can make one is offered it first (src/router/passkeys/sign-up.tsx).
  // Loaded on use, with the rest of the passkey code (../lazy.ts).
  if (form.get("webauthn") === "1") return (await import("../passkeys/sign-up")).offerPasskey(c, p);
  return afterShard(c, c.env, config, p.client, p.req, authCode, { ...result.authorized!, ok: true });
}

export const signUp = new Hono<PagesEnv>().post("/signup-start", start).post("/signup", submit).post("/signup-code", enterCode);
