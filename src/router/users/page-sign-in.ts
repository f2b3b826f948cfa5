import type { Context } from "hono";
import type { AuthorizationAsk } from "../../actors/user-shard/api";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { MAX_PASSWORD_LENGTH } from "../../oauth/password";
import { sha256 } from "../../oauth/secrets";
import { writeSessionCookie, type SessionRef } from "../authorize/session-cookie";
import { SLOWED, WRONG } from "../endpoints/login";
import { checkSignIn } from "../ldap/sign-in";
import { DirectoryUnavailable, DIRECTORY_UNAVAILABLE } from "../ldap/unavailable";
import type { Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";

/**
 * What the stand-alone pages (device approval, CIBA approval, the account page) ask the
 * shard for when someone signs in on them: forceConsent makes the shard open the session
 * and answer before it stores a code, so the code here is never stored.
 */
export function sessionOnlyAsk(clientId: string): AuthorizationAsk {
  return {
    clientId,
    maxAge: null,
    forceConsent: true,
    code: { codeHash: "", clientId, redirectUri: "", scope: "openid", codeChallenge: null, nonce: null, ttlS: 1 },
  };
}

export type PasswordStep =
  | { error: string; status: 401 | 429 }
  | { secondFactor: { userId: string; bucket: number } }
  | { session: SessionRef };

/**
 * The stand-alone pages' password step: the login form's password check and the same
 * shard call (completeLogin: failure counting, slow-down, the session). A user with a
 * second factor gets no session yet; the page decides what comes next.
 */
export async function passwordSignIn(c: Context<PagesEnv>, form: Params, clientId: string): Promise<PasswordStep> {
  const config = c.var.config;
  const password = form.get("password") ?? "";
  if (password.length > MAX_PASSWORD_LENGTH) return { error: WRONG, status: 401 };
  let checked: Awaited<ReturnType<typeof checkSignIn>>;
  try {
    checked = await checkSignIn(c.env, config, form.get("email") ?? "", password);
  } catch (error) {
    // LDAP / Active Directory: the directory is down; local accounts were never sent there.
    if (error instanceof DirectoryUnavailable) return { error: DIRECTORY_UNAVAILABLE, status: 401 };
    throw error;
  }
  if (!checked) return { error: WRONG, status: 401 };
  if (checked.retryAfterS > 0) return { error: SLOWED(checked.retryAfterS), status: 429 };
  const cookie = mintArtifact("s", checked.bucket);
  const session = { idHash: await sha256(cookie), sid: newId() };
  const ask = sessionOnlyAsk(clientId);
  const result = await callShard(c.env, config, checked.bucket, (shard) => shard.completeLogin(checked.bucket, checked.userId, checked.passwordOk, session, ask));
  if (!result.ok) throw shardFailure(result, "sign-in", "the sign-in");
  if (result.outcome === "rejected") {
    return { error: result.retryAfterS > 0 && checked.passwordOk ? SLOWED(result.retryAfterS) : WRONG, status: 401 };
  }
  if (result.outcome === "second_factor" && result.sid === null) return { secondFactor: { userId: checked.userId, bucket: checked.bucket } };
  writeSessionCookie(c, config, cookie);
  return { session: { bucket: checked.bucket, hash: session.idHash } };
}
