import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { Env } from "../../env";
import type { Config } from "../../config";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import type { SecondFactorRequired, SecondFactorTarget } from "../../actors/user-shard/api";
import { afterShard, askFor } from "../authorize/flow";
import { csrfCookie } from "../authorize/interaction";
import type { AuthorizationRequest } from "../authorize/request";
import { deliverError } from "../authorize/respond";
import { readSessionCookie, writeSessionCookie } from "../authorize/session-cookie";
import { getClient, type RegisteredClient } from "../clients/registry";
import { SLOWED } from "../endpoints/login";
import { OAuthError } from "../errors";
import { formParams } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import type { PagesEnv } from "../pages/env";
import { trustRedirect } from "../pages/errors";
import { callShard } from "../shards/call";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { EnrolFirstPage, SecondFactorPage } from "../views/second-factor";
import { openPending, signPending, type PendingSecondFactor } from "./pending";
import { MAX_CODE_LENGTH, proofFor } from "./proof";
import { lookOf } from "../branding/look";

export const WRONG_CODE = "That code is not correct. Codes change every 30 seconds and each works once.";

/** OIDC Core §3.1.2.6 (and its errata): the request asks for an acr this sign-in cannot give without the user. */
const unmet = (why: string) => new OAuthError("unmet_authentication_requirements", 400, why, { redirectable: true });

async function headers(c: Context, req: AuthorizationRequest, client?: RegisteredClient) {
  const security = pageSecurity([new URL(req.redirectUri).origin], [], await lookOf(c, c.var.config, client, req.uiLocale));
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  return security;
}

async function showCodePage(c: Context, env: Env, config: Config, client: RegisteredClient, pending: PendingSecondFactor & { req: AuthorizationRequest }, error: string | null, status: 200 | 401 | 429) {
  const token = await signPending(env, config, csrfCookie(c, config), pending);
  return c.html(<SecondFactorPage security={await headers(c, pending.req, client)} clientName={client.clientName} pending={token} error={error} />, status);
}

/**
 * The shard said the second factor is due (after a password, or a password-only session
 * meeting a request that needs MFA): ask for the code, send the user to enrol, or — with
 * prompt=none, where nobody can be asked — refuse the request.
 */
export async function secondFactorStep(c: Context, env: Env, config: Config, client: RegisteredClient, req: AuthorizationRequest, result: SecondFactorRequired): Promise<Response> {
  if (req.prompt.includes("none")) return deliverError(c, config, req, unmet("the request needs two-factor sign-in, which needs the user (prompt=none)"));
  if (!result.enrolled) return c.html(<EnrolFirstPage security={await headers(c, req, client)} clientName={client.clientName} />, 403);
  return showCodePage(c, env, config, client, { req, userId: result.userId, bucket: bucketOf(result.userId), sid: result.sid }, null, 200);
}

/** POST /second-factor: the code form. Two shard calls, like the password: read the sealed secret, then check and complete. */
async function submitCode(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  const opened = await openPending(c, c.env, config, form.get("pending"));
  if (opened.req === null) throw new OAuthError("invalid_request", 400, "this code form belongs to the account page; open it again");
  const pending = { ...opened, req: opened.req };
  const client = await getClient(c.env, config, pending.req.clientId);
  if (!client || !client.redirectUris.includes(pending.req.redirectUri)) throw new OAuthError("invalid_request", 400, "the application is no longer registered");
  trustRedirect(c, pending.req);
  const typed = form.get("code") ?? "";
  if (typed.length === 0 || typed.length > MAX_CODE_LENGTH) return showCodePage(c, c.env, config, client, pending, WRONG_CODE, 401);
  const { userId, bucket, req } = pending;
  const proof = await proofFor(c.env, config, bucket, userId, typed);
  await ensureSigningKeys(c.env, config);
  let target: SecondFactorTarget;
  let cookie: string | null = null;
  if (pending.sid === null) {
    cookie = mintArtifact("s", bucket);
    target = { kind: "login", session: { idHash: await sha256(cookie), sid: newId() } };
  } else {
    const session = await readSessionCookie(c, config);
    if (!session || session.bucket !== bucket) throw new OAuthError("invalid_request", 400, "the session this page was shown to has ended; start again from the application");
    target = { kind: "step_up", sessionHash: session.hash, sid: pending.sid };
  }
  const { code, ask } = await askFor(config, req, bucket);
  const result = await callShard(c.env, config, bucket, (shard) => shard.completeSecondFactor(bucket, userId, proof, target, ask));
  if (result.ok && result.outcome === "rejected") {
    if (result.retryAfterS > 0) c.header("Retry-After", String(result.retryAfterS));
    return showCodePage(c, c.env, config, client, pending, result.retryAfterS > 0 ? SLOWED(result.retryAfterS) : WRONG_CODE, result.retryAfterS > 0 ? 429 : 401);
  }
  if (result.ok && cookie) writeSessionCookie(c, config, cookie);
  return afterShard(c, c.env, config, client, req, code, result as Exclude<typeof result, { outcome: "rejected" }>);
}

export const secondFactorEndpoint = new Hono<PagesEnv>().post("/second-factor", submitCode);
