import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { bucketOf } from "../../shard/bucket";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { dummyPasswordVerifier, MAX_PASSWORD_LENGTH, verifyPassword } from "../../oauth/password";
import { sha256 } from "../../oauth/secrets";
import { afterShard, askFor, showLogin } from "../authorize/flow";
import { openInteraction } from "../authorize/interaction";
import { writeSessionCookie } from "../authorize/session-cookie";
import { getClient } from "../clients/registry";
import type { Config } from "../../config";
import { isD1Unavailable } from "../d1/unavailable";
import { userIdByEmail } from "../d1/user-emails";
import { OAuthError } from "../errors";
import { formParams } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import { callShard } from "../shards/call";
import type { PagesEnv } from "../pages/env";
import { trustRedirect } from "../pages/errors";
import type { Env } from "../../env";
import { checkSignIn } from "../ldap/sign-in";
import { DirectoryUnavailable, DIRECTORY_UNAVAILABLE } from "../ldap/unavailable";

export const WRONG = "The email or password is not correct.";
export const SLOWED = (s: number) => `Too many failed attempts. Wait ${s} second${s === 1 ? "" : "s"} and try again.`;
const UNAVAILABLE = "Signing in is temporarily unavailable. Please try again in a moment.";

/**
 * Checks the password off the shard (PBKDF2 costs tens of milliseconds), then one
 * shard call records the outcome. Unknown emails cost the same derivation, and
 * every failure shows the same message.
 */
export async function checkPassword(env: Env, config: Config, email: string | null, password: string) {
  const userId = email ? await userIdByEmail(env.DB, email) : null;
  if (!userId) {
    await verifyPassword(password, await dummyPasswordVerifier());
    return null;
  }
  return checkKnownUser(env, config, userId, password);
}

export type PasswordChecked = { userId: string; bucket: number; passwordOk: boolean; retryAfterS: number } | null;

/**
 * The password check of a user the index found: the shard's challenge (verifier and
 * slow-down), then PBKDF2 off the shard. `elsewhere` lets a sign-in method whose
 * verifier lives elsewhere (the LDAP directory) take over once the challenge names it.
 */
export async function checkKnownUser(
  env: Env,
  config: Config,
  userId: string,
  password: string,
  elsewhere?: (verifier: string | null, user: { userId: string; bucket: number }) => Promise<PasswordChecked> | null,
): Promise<PasswordChecked> {
  const bucket = bucketOf(userId);
  const challenge = await callShard(env, config, bucket, (shard) => shard.loginChallenge(bucket, userId));
  if (!challenge.ok) {
    await verifyPassword(password, await dummyPasswordVerifier());
    return null;
  }
  if (challenge.retryAfterS > 0) return { userId, bucket, passwordOk: false, retryAfterS: challenge.retryAfterS };
  const taken = elsewhere?.(challenge.verifier, { userId, bucket });
  if (taken) return taken;
  const passwordOk = await verifyPassword(password, challenge.verifier ?? (await dummyPasswordVerifier()));
  return { userId, bucket, passwordOk: passwordOk && challenge.verifier !== null, retryAfterS: 0 };
}

async function login(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  const { req } = await openInteraction(c, c.env, config, form.get("interaction"));
  const client = await getClient(c.env, config, req.clientId);
  if (!client || !client.redirectUris.includes(req.redirectUri)) throw new OAuthError("invalid_request", 400, "the application is no longer registered");
  // The signed interaction carries a request /authorize validated, and the client still has its redirect URI.
  trustRedirect(c, req);
  const rawEmail = form.get("email") ?? "";
  const password = form.get("password") ?? "";
  if (password.length > MAX_PASSWORD_LENGTH) return showLogin(c, c.env, config, client, req, WRONG, rawEmail, 401);
  let checked: Awaited<ReturnType<typeof checkPassword>>;
  try {
    checked = await checkSignIn(c.env, config, rawEmail, password);
  } catch (error) {
    // LDAP / Active Directory: the directory is down; local accounts were never sent there.
    if (error instanceof DirectoryUnavailable) return showLogin(c, c.env, config, client, req, DIRECTORY_UNAVAILABLE, rawEmail, 503);
    // The email index (D1) is down: every sign-in by email fails alike, and not for long. The
    // person keeps the form and tries again; the application is not sent an error for it. (A
    // fenced shard is one user for a moment: that 503 goes to the application as before.)
    if (!isD1Unavailable(error)) throw error;
    console.warn(`POST /login -> 503 page: ${error.detail ?? error.description}`);
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return showLogin(c, c.env, config, client, req, UNAVAILABLE, rawEmail, 503);
  }
  if (!checked) return showLogin(c, c.env, config, client, req, WRONG, rawEmail, 401);
  if (checked.retryAfterS > 0) {
    c.header("Retry-After", String(checked.retryAfterS));
    return showLogin(c, c.env, config, client, req, SLOWED(checked.retryAfterS), rawEmail, 429);
  }

  // What is written next (a session, perhaps a code) leads on to a signed consent form or a token
  // request: if this isolate cannot sign, say so now rather than after the shard wrote it.
  await ensureSigningKeys(c.env, config);
  const cookie = mintArtifact("s", checked.bucket);
  const session = { idHash: await sha256(cookie), sid: newId() };
  const { code, ask } = await askFor(config, req, checked.bucket);
  const result = await callShard(c.env, config, checked.bucket, (shard) =>
    shard.completeLogin(checked.bucket, checked.userId, checked.passwordOk, session, ask),
  );
  if (result.ok && result.outcome === "rejected") {
    const message = result.retryAfterS > 0 && checked.passwordOk ? SLOWED(result.retryAfterS) : WRONG;
    return showLogin(c, c.env, config, client, req, message, rawEmail, 401);
  }
  if (result.ok) writeSessionCookie(c, config, cookie);
  return afterShard(c, c.env, config, client, req, code, result as Exclude<typeof result, { outcome: "rejected" }>);
}

export const loginEndpoint = new Hono<PagesEnv>().post("/login", login);
