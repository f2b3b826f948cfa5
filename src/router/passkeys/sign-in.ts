import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { generateAuthenticationOptions, type AuthenticatorTransport } from "@simplewebauthn/server";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { afterShard, askFor, showLogin } from "../authorize/flow";
import { writeSessionCookie } from "../authorize/session-cookie";
import { userIdByEmail } from "../d1/user-emails";
import { pending, type Pending } from "../email/sign-in";
import { SLOWED } from "../endpoints/login";
import { formParams } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import type { PagesEnv } from "../pages/env";
import { shardFailure } from "../shard-errors";
import { normalizeEmail } from "../users/email";
import { parseAssertion, startCeremony, takeCeremony, userIdOfHandle } from "./ceremony";
import { passkeyCall } from "./shard";
import { checkAssertion, REFUSALS } from "./verify";

/**
 * Sign-in with a passkey from the login page (README "Passkeys"). The options: a discoverable
 * request (no email: the authenticator offers the user's passkeys, and the answer's user
 * handle names the user, so no D1 lookup), or, with an email typed first, the user's own
 * credentials as allowCredentials (one D1 lookup and one shard read). The answer: one shard
 * read for the public key, the signature checked here, then one shard transaction that
 * spends the challenge, checks the counter and opens the session.
 */
const NOT_REGISTERED = "This passkey is not registered here (it may have been removed). Sign in another way.";
const EXPIRED = "This passkey request has expired or was already used. Try again.";
const NOT_VERIFIED = "This passkey could not be verified.";

async function allowedCredentials(c: Context<PagesEnv>, rawEmail: string): Promise<{ userId: string | null; allow: { id: string; transports: AuthenticatorTransport[] }[] }> {
  const email = normalizeEmail(rawEmail);
  const userId = email ? await userIdByEmail(c.env.DB, email) : null;
  if (!userId) return { userId: null, allow: [] };
  const listed = await passkeyCall(c.env, c.var.config, { kind: "list", bucket: bucketOf(userId), userId });
  if (!listed.ok) return { userId: null, allow: [] };
  return { userId, allow: listed.passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })) };
}

/** POST /passkey-options: the options for navigator.credentials.get(), as JSON; the challenge goes into this browser's cookie. */
async function options(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  await pending(c, form.get("interaction"));
  const rawEmail = form.get("email") ?? "";
  // An unknown address gets a discoverable request, like no address: the answer does not tell which addresses have accounts.
  const { userId, allow } = rawEmail ? await allowedCredentials(c, rawEmail) : { userId: null, allow: [] };
  const challenge = await startCeremony(c, c.env, config, "sign_in", allow.length ? userId : null);
  const opts = await generateAuthenticationOptions({ rpID: config.passkeys.rpId, challenge, allowCredentials: allow, userVerification: "required", timeout: config.passkeys.challengeTtlS * 1000 });
  return c.json(opts, 200, { "Cache-Control": "no-store" });
}

function again(c: Context<PagesEnv>, p: Pending, message: string, status: 400 | 401 | 429) {
  return showLogin(c, c.env, c.var.config, p.client, p.req, message, "", status);
}

/** POST /passkey-login: the answer from navigator.credentials.get(), as JSON in the form field `passkey`. */
async function signIn(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  const p = await pending(c, form.get("interaction"));
  const response = parseAssertion(form.get("passkey"));
  if (!response) return again(c, p, REFUSALS.malformed, 400);
  const ceremony = await takeCeremony(c, c.env, config, "sign_in");
  if (!ceremony) return again(c, p, EXPIRED, 400);
  const handled = userIdOfHandle(response.response.userHandle);
  // Email first: the answer may carry no user handle (a non-discoverable credential); if it does, it must be that user.
  if (handled && ceremony.userId && handled !== ceremony.userId) return again(c, p, NOT_REGISTERED, 401);
  const userId = handled ?? ceremony.userId;
  if (!userId) return again(c, p, NOT_REGISTERED, 401);
  const bucket = bucketOf(userId);
  const stored = await passkeyCall(c.env, config, { kind: "read", bucket, userId, credentialId: response.id });
  if (!stored.ok && stored.error !== "not_found") throw shardFailure(stored, "sign-in", "the sign-in");
  if (!stored.ok || stored.publicKey === null || stored.disabled) return again(c, p, NOT_REGISTERED, 401);
  if (stored.retryAfterS > 0) {
    c.header("Retry-After", String(stored.retryAfterS));
    return again(c, p, SLOWED(stored.retryAfterS), 429);
  }
  const checked = await checkAssertion(config, response, ceremony.challenge, { credentialId: response.id, publicKey: stored.publicKey, transports: stored.transports });
  if ("refused" in checked) return again(c, p, REFUSALS[checked.refused], 400);
  await ensureSigningKeys(c.env, config);
  const cookie = mintArtifact("s", bucket);
  const session = { idHash: await sha256(cookie), sid: newId() };
  const { code, ask } = await askFor(config, p.req, bucket);
  const result = await passkeyCall(c.env, config, { kind: "sign_in", bucket, userId, credentialId: response.id, challenge: ceremony.spent, verified: checked.verified, session, ask });
  if (!result.ok && result.error === "invalid_grant") return again(c, p, EXPIRED, 400);
  if (!result.ok && result.error === "login_required") return again(c, p, NOT_REGISTERED, 401);
  if (!result.ok) throw shardFailure(result, "sign-in", "the sign-in");
  if (result.outcome === "rejected") {
    if (result.retryAfterS > 0) c.header("Retry-After", String(result.retryAfterS));
    return again(c, p, result.retryAfterS > 0 ? SLOWED(result.retryAfterS) : NOT_VERIFIED, result.retryAfterS > 0 ? 429 : 401);
  }
  writeSessionCookie(c, config, cookie);
  return afterShard(c, c.env, config, p.client, p.req, code, result);
}

export const passkeySignIn = new Hono<PagesEnv>().post("/passkey-options", options).post("/passkey-login", signIn);
