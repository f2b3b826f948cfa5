import type { Context } from "hono";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import { csrfCookie } from "../authorize/interaction";
import { writeSessionCookie } from "../authorize/session-cookie";
import { SLOWED } from "../endpoints/login";
import type { Params } from "../http/params";
import { openPending, signPending } from "../mfa/pending";
import { proofFor, MAX_CODE_LENGTH } from "../mfa/proof";
import { WRONG_CODE } from "../mfa/step";
import type { PagesEnv } from "../pages/env";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { passwordSignIn, sessionOnlyAsk } from "../users/page-sign-in";

const START_AGAIN = "This sign-in can no longer be completed. Sign in again.";

export type AccountSignIn = { signedIn: true } | { pending: string; error: string | null; status: 200 | 401 | 429 } | { error: string; status: 401 | 429 };

/** No client is involved: a session-only ask (as the device page's sign-in). */
const ACCOUNT_ASK = sessionOnlyAsk("account");

/** Step 1: the password (the login form's check and shard call). With TOTP on, the code form comes next. */
export async function accountPassword(c: Context<PagesEnv>, form: Params): Promise<AccountSignIn> {
  const config = c.var.config;
  const step = await passwordSignIn(c, form, "account");
  if ("error" in step) return step;
  if ("secondFactor" in step) {
    const pending = await signPending(c.env, config, csrfCookie(c, config), { req: null, ...step.secondFactor, sid: null });
    return { pending, error: null, status: 200 };
  }
  return { signedIn: true };
}

/** Step 2 for an account with TOTP: the code opens the session (with the MFA acr). */
export async function accountSecondFactor(c: Context<PagesEnv>, form: Params): Promise<AccountSignIn> {
  const config = c.var.config;
  const token = form.get("pending");
  const pending = await openPending(c, c.env, config, token);
  const again = (error: string, status: 401 | 429) => ({ pending: token!, error, status });
  const typed = form.get("code") ?? "";
  if (pending.req !== null || typed.length === 0 || typed.length > MAX_CODE_LENGTH) return again(WRONG_CODE, 401);
  const proof = await proofFor(c.env, config, pending.bucket, pending.userId, typed);
  const cookie = mintArtifact("s", pending.bucket);
  const target = { kind: "login" as const, session: { idHash: await sha256(cookie), sid: newId() } };
  const result = await callShard(c.env, config, pending.bucket, (shard) => shard.completeSecondFactor(pending.bucket, pending.userId, proof, target, ACCOUNT_ASK));
  // Disabled, or TOTP switched off since the password step: sign in again from the start.
  if (!result.ok && result.error === "login_required") return { error: START_AGAIN, status: 401 };
  if (!result.ok) throw shardFailure(result, "sign-in", "the sign-in");
  if (result.outcome === "rejected") {
    if (result.retryAfterS > 0) c.header("Retry-After", String(result.retryAfterS));
    return result.retryAfterS > 0 ? again(SLOWED(result.retryAfterS), 429) : again(WRONG_CODE, 401);
  }
  writeSessionCookie(c, config, cookie);
  return { signedIn: true };
}
