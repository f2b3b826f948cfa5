import { codeTtlFor } from "../clients/fapi";
import { formatScope, storedScope } from "../../oauth/scopes";
import { scopesForClaims, storedClaims } from "../../oauth/claims-request";
import { subjectFor } from "../clients/subject";
import type { Context } from "hono";
import type { ShardResult } from "../../actors/results";
import type { Env } from "../../env";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import type { RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { ConsentPage, LoginPage } from "../views/pages";
import { csrfCookie, signInteraction } from "./interaction";
import type { AuthorizationRequest } from "./request";
import { deliver, deliverError } from "./respond";
import { authorizationFields } from "./front-channel";
import { readSessionCookie } from "./session-cookie";
import type { AuthorizationAsk, Authorized } from "../../actors/user-shard/api";
import { secondFactorStep } from "../mfa/step";
import { loginUpstreams } from "../federation/providers";
import { lookOf } from "../branding/look";

/** What the user is asked to allow: the scope plus the scopes of claims asked for by name (OIDC Core §5.5). */
function consentScopeOf(req: AuthorizationRequest): string {
  return formatScope([...new Set([...storedScope(req.scope), ...scopesForClaims(req.claims ?? null)])]);
}

/** A fresh code for `bucket` and what the shard stores with it. */
export async function askFor(config: Config, req: AuthorizationRequest, bucket: number): Promise<{ code: string; ask: AuthorizationAsk }> {
  const code = mintArtifact("c", bucket);
  return {
    code,
    ask: {
      clientId: req.clientId,
      maxAge: req.maxAge,
      forceConsent: req.prompt.includes("consent"),
      code: {
        codeHash: await sha256(code),
        clientId: req.clientId,
        redirectUri: req.redirectUri,
        scope: req.scope,
        codeChallenge: req.codeChallenge,
        nonce: req.nonce,
        ttlS: codeTtlFor(config, req),
        dpopJkt: req.dpopJkt ?? null,
        claims: storedClaims(req.claims ?? null),
      },
      consentScope: consentScopeOf(req),
      // Hybrid flow with token (OIDC Core §3.3): the grant its access token names, written with the code.
      accessGrant: (req.responseType ?? "code").split(" ").includes("token") ? { grantId: newId(), ttlS: config.accessTokenTtlS } : null,
      // Two-factor sign-in: provider policy (MFA_REQUIRED), or the client's policy / acr asked for (req.mfa).
      requireMfa: config.mfa.required || req.mfa === true,
    },
  };
}

/**
 * OIDC Core §5.5.1: a `sub` asked for with a value in the id_token member allows a
 * positive answer only for that user. Checked once the shard has named the signed-in
 * user (the pairwise `sub` is computed here, not in the shard); on a mismatch the
 * code the shard stored is never handed out and expires unused.
 */
async function isRequestedSubject(config: Config, client: RegisteredClient, req: AuthorizationRequest, userId: string): Promise<boolean> {
  const wanted = req.claims?.sub;
  return wanted === undefined || wanted === (await subjectFor(config, client, userId));
}

const otherUser = () => new OAuthError("login_required", 400, "the signed-in user is not the one the claims parameter names (sub)", { redirectable: true });
const loginRequired = () => new OAuthError("login_required", 400, "the user is not signed in", { redirectable: true });
const consentRequired = () => new OAuthError("consent_required", 400, "the user has not allowed this client", { redirectable: true });

async function pageHeaders(c: Context, config: Config, client: RegisteredClient, req: AuthorizationRequest, upstreamOrigins: string[] = []) {
  // Federation: the login page's provider buttons end at the upstreams (form-action covers redirects).
  const security = pageSecurity([new URL(req.redirectUri).origin, ...upstreamOrigins], [], await lookOf(c, config, client, req.uiLocale));
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  return security;
}

export async function showLogin(
  c: Context,
  env: Env,
  config: Config,
  client: RegisteredClient,
  req: AuthorizationRequest,
  error: string | null = null,
  email: string = req.loginHint ?? "",
  status: 200 | 400 | 401 | 429 | 503 = 200,
): Promise<Response> {
  const interaction = await signInteraction(env, config, csrfCookie(c, config), req);
  const upstreams = await loginUpstreams(env, config);
  const security = await pageHeaders(c, config, client, req, upstreams.map((u) => u.origin));
  return c.html(<LoginPage security={security} clientName={client.clientName} interaction={interaction} email={email} error={error} signup={config.email.signup} upstreams={upstreams} />, status);
}

export async function showConsent(
  c: Context,
  env: Env,
  config: Config,
  client: RegisteredClient,
  req: AuthorizationRequest,
  consent: { sid: string; email: string },
): Promise<Response> {
  const interaction = await signInteraction(env, config, csrfCookie(c, config), req, consent.sid);
  const security = await pageHeaders(c, config, client, req);
  return c.html(
    <ConsentPage security={security} clientName={client.clientName} email={consent.email} scopes={[...storedScope(consentScopeOf(req))]} interaction={interaction} links={client.links} />,
  );
}

/** Turns the shard's answer into the next step: the code, the consent page or an error to the client. */
export async function afterShard(
  c: Context,
  env: Env,
  config: Config,
  client: RegisteredClient,
  req: AuthorizationRequest,
  code: string,
  result: ShardResult<Authorized> | Exclude<ShardResult<Authorized>, { ok: true }>,
): Promise<Response> {
  if (result.ok) {
    if (!(await isRequestedSubject(config, client, req, result.userId))) return deliverError(c, config, req, otherUser());
    // Two-factor sign-in (src/router/mfa): the code page, enrolment, or unmet_authentication_requirements.
    if (result.outcome === "second_factor") return secondFactorStep(c, env, config, client, req, result);
    if (result.outcome === "issued") return deliver(c, config, req, await authorizationFields(env, config, client, req, code, result));
    if (req.prompt.includes("none")) return deliverError(c, config, req, consentRequired());
    return showConsent(c, env, config, client, req, result);
  }
  if (result.error === "login_required") {
    if (req.prompt.includes("none")) return deliverError(c, config, req, loginRequired());
    return showLogin(c, env, config, client, req);
  }
  throw shardFailure(result, "sign-in", "the sign-in");
}

/**
 * /authorize after validation: with a live session (and no prompt=login) one shard
 * call checks session, max_age and consent and stores the code (DESIGN.md budget).
 */
export async function continueAuthorization(c: Context, env: Env, config: Config, client: RegisteredClient, req: AuthorizationRequest): Promise<Response> {
  // max_age=0 asks for a fresh sign-in, like prompt=login (OIDC Core §3.1.2.1).
  const session = req.prompt.includes("login") || req.maxAge === 0 ? null : await readSessionCookie(c, config);
  if (!session) {
    if (req.prompt.includes("none")) return deliverError(c, config, req, loginRequired());
    return showLogin(c, env, config, client, req);
  }
  const { code, ask } = await askFor(config, req, session.bucket);
  const result = await callShard(env, config, session.bucket, (shard) => shard.authorize(session.bucket, session.hash, ask));
  return afterShard(c, env, config, client, req, code, result);
}
