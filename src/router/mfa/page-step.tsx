import type { Context } from "hono";
import type { Config } from "../../config";
import { ACR_MFA } from "../../oauth/acr";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import { csrfCookie } from "../authorize/interaction";
import { readSessionCookie, writeSessionCookie, type SessionRef } from "../authorize/session-cookie";
import type { RegisteredClient } from "../clients/registry";
import { SLOWED } from "../endpoints/login";
import type { Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { formCsrfValue, securedPage } from "../pages/form-csrf";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { sessionOnlyAsk } from "../users/page-sign-in";
import { PageSecondFactor } from "../views/page-second-factor";
import { openPending, signPending } from "./pending";
import { MAX_CODE_LENGTH, proofFor } from "./proof";
import { WRONG_CODE } from "./step";

/**
 * The second factor on the stand-alone approval pages (device, CIBA): the code form of
 * /second-factor's step, posted back to the page itself with the page's own fields. It
 * opens the session after a password (TOTP user), or raises a password-only session when
 * the policy asks for MFA (MFA_REQUIRED, the client's mfa_required) — the same pending
 * token, proof and shard call (completeSecondFactor) as the authorization flow's step.
 */

export function mfaRequiredFor(config: Config, client: RegisteredClient): boolean {
  return config.mfa.required || client.mfaRequired;
}

export function meetsMfa(acr: string): boolean {
  return acr === ACR_MFA;
}

export interface PageStep {
  /** Where the form posts, and the page's own fields (user_code, request) that come back with it. */
  action: string;
  fields: Record<string, string>;
  clientName: string;
}

/** The code form for `userId` (sid: the live session to raise; null after a password). A user without TOTP is sent to enrol. */
export async function askSecondFactor(c: Context<PagesEnv>, step: PageStep, who: { userId: string; bucket: number; sid: string | null }, error: string | null = null, status: 200 | 401 | 403 | 429 = 200, token?: string) {
  const config = c.var.config;
  let enrolled = true;
  if (!token) {
    const challenge = await callShard(c.env, config, who.bucket, (shard) => shard.secondFactorChallenge(who.bucket, who.userId));
    enrolled = challenge.ok && challenge.sealedSecret !== null;
  }
  const pending = token ?? (await signPending(c.env, config, csrfCookie(c, config), { req: null, ...who }));
  const csrf = await formCsrfValue(c, config);
  return c.html(<PageSecondFactor security={await securedPage(c)} csrf={csrf} step={step} pending={pending} enrolled={enrolled} error={error} />, enrolled ? status : 403);
}

/** POST step=second_factor: the code checked; the session (opened or raised), or the form again with an error. */
export async function completePageSecondFactor(c: Context<PagesEnv>, form: Params, clientId: string, step: PageStep): Promise<{ session: SessionRef } | { page: Response }> {
  const config = c.var.config;
  const token = form.get("pending");
  const pending = await openPending(c, c.env, config, token);
  const who = { userId: pending.userId, bucket: pending.bucket, sid: pending.sid };
  const again = async (error: string, status: 401 | 429) => ({ page: await askSecondFactor(c, step, who, error, status, token) });
  const typed = form.get("code") ?? "";
  if (pending.req !== null || typed.length === 0 || typed.length > MAX_CODE_LENGTH) return again(WRONG_CODE, 401);
  const proof = await proofFor(c.env, config, pending.bucket, pending.userId, typed);
  let cookie: string | null = null;
  let ref: SessionRef;
  let target;
  if (pending.sid === null) {
    cookie = mintArtifact("s", pending.bucket);
    ref = { bucket: pending.bucket, hash: await sha256(cookie) };
    target = { kind: "login" as const, session: { idHash: ref.hash, sid: newId() } };
  } else {
    const live = await readSessionCookie(c, config);
    if (!live || live.bucket !== pending.bucket) return again("The session this page was shown to has ended. Start again.", 401);
    ref = live;
    target = { kind: "step_up" as const, sessionHash: live.hash, sid: pending.sid };
  }
  const result = await callShard(c.env, config, pending.bucket, (shard) => shard.completeSecondFactor(pending.bucket, pending.userId, proof, target, sessionOnlyAsk(clientId)));
  if (!result.ok && result.error === "login_required") return again("This sign-in can no longer be completed. Start again.", 401);
  if (!result.ok) throw shardFailure(result, "sign-in", "the sign-in");
  if (result.outcome === "rejected") {
    if (result.retryAfterS > 0) c.header("Retry-After", String(result.retryAfterS));
    return result.retryAfterS > 0 ? again(SLOWED(result.retryAfterS), 429) : again(WRONG_CODE, 401);
  }
  if (cookie) writeSessionCookie(c, config, cookie);
  return { session: ref };
}
