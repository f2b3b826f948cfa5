import type { Context } from "hono";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { MAX_PASSWORD_LENGTH } from "../../oauth/password";
import { sha256 } from "../../oauth/secrets";
import { writeSessionCookie, type SessionRef } from "../authorize/session-cookie";
import { checkPassword, SLOWED, WRONG } from "../endpoints/login";
import type { Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { normalizeEmail } from "../users/email";

export type DeviceSignIn = { session: SessionRef } | { error: string; status: 401 | 429 };

/**
 * The device page's sign-in: the login form's password check and the same shard call
 * (completeLogin: failure counting, slow-down, the session). The ask has
 * forceConsent, so the shard only opens the session and stores no code: the approval
 * that follows is the device page's own.
 */
export async function signInForDevice(c: Context<PagesEnv>, form: Params, clientId: string): Promise<DeviceSignIn> {
  const config = c.var.config;
  const password = form.get("password") ?? "";
  if (password.length > MAX_PASSWORD_LENGTH) return { error: WRONG, status: 401 };
  const checked = await checkPassword(c.env, config, normalizeEmail(form.get("email") ?? ""), password);
  if (!checked) return { error: WRONG, status: 401 };
  if (checked.retryAfterS > 0) return { error: SLOWED(checked.retryAfterS), status: 429 };
  const cookie = mintArtifact("s", checked.bucket);
  const session = { idHash: await sha256(cookie), sid: newId() };
  const ask = {
    clientId,
    maxAge: null,
    forceConsent: true,
    // Never stored: with forceConsent the shard answers consent_required before storing a code.
    code: { codeHash: "", clientId, redirectUri: "", scope: "openid", codeChallenge: null, nonce: null, ttlS: 1 },
  };
  const result = await callShard(c.env, config, checked.bucket, (shard) => shard.completeLogin(checked.bucket, checked.userId, checked.passwordOk, session, ask));
  if (!result.ok) throw shardFailure(result, "sign-in", "the sign-in");
  if (result.outcome === "rejected") {
    return { error: result.retryAfterS > 0 && checked.passwordOk ? SLOWED(result.retryAfterS) : WRONG, status: 401 };
  }
  // Two-factor sign-in: the device page has no code step; the account page signs in with both factors.
  if (result.outcome === "second_factor" && result.sid === null) return { error: "This account uses two-factor sign-in: sign in on your account page (/account) first, then come back.", status: 401 };
  writeSessionCookie(c, config, cookie);
  return { session: { bucket: checked.bucket, hash: session.idHash } };
}
