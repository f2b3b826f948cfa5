import type { Context } from "hono";
import { TOKEN_EXCHANGE } from "../../oauth/grant-types";
import { parseScope } from "../../oauth/scopes";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidRequest } from "../errors";
import { required, type Params } from "../http/params";
import type { AppEnv } from "../types";
import { signAccessToken } from "./issue";
import type { AcceptedProof } from "../dpop/proof";
import { spendProofOnce } from "../dpop/replay";
import { boundClaims, tokenTypeOf } from "../dpop/token";
import { checkPresentedLive, verifyPresented, type Actor, type Presented } from "./presented-token";

/** RFC 8693 §3: the only token type this provider accepts and issues by exchange. */
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
/** Each exchange nests one more `act`; bounded so a chain cannot grow a token without end. */
const MAX_PRIOR_ACTORS = 8;

interface ExchangeResponse {
  access_token: string;
  issued_token_type: typeof ACCESS_TOKEN_TYPE;
  token_type: "Bearer" | "DPoP";
  expires_in: number;
  scope: string;
}

/** Only the exchange policy registered with the client lets it exchange: no audiences, no exchange. */
function checkPolicy(client: RegisteredClient): void {
  if (!client.grantTypes.has(TOKEN_EXCHANGE) || client.tokenExchangeAudiences.length === 0) {
    throw new OAuthError("unauthorized_client", 400, "this client may not use token exchange (no grant type or no token_exchange_audiences)");
  }
}

/** RFC 8693 §2.1: a token type we do not accept is invalid_request (§2.2.2). */
function checkTokenType(name: string, value: string | undefined): void {
  if (value !== undefined && value !== ACCESS_TOKEN_TYPE) {
    throw invalidRequest(`${name} ${value.slice(0, 100)} is not supported; only ${ACCESS_TOKEN_TYPE}`);
  }
}

/**
 * The audiences of the new token (RFC 8693 §2.1 `audience`, RFC 8707 `resource`),
 * each one the client's policy names; anything else is invalid_target (§2.2.2).
 * The token endpoint refuses repeated parameters, so a request names at most one
 * of each.
 */
function targets(client: RegisteredClient, params: Params): string[] {
  const audience = params.get("audience");
  const resource = params.get("resource");
  if (audience === undefined && resource === undefined) throw invalidRequest("audience (or resource) is required: name the service the token is for");
  if (resource !== undefined && !URL.canParse(resource)) throw new OAuthError("invalid_target", 400, "resource must be an absolute URI (RFC 8707 §2)");
  if (resource?.includes("#")) throw new OAuthError("invalid_target", 400, "resource must not contain a fragment (RFC 8707 §2)");
  const wanted = [...new Set([audience, resource].filter((t): t is string => t !== undefined))];
  const refused = wanted.filter((t) => !client.tokenExchangeAudiences.includes(t));
  if (refused.length > 0) throw new OAuthError("invalid_target", 400, `this client may not obtain tokens for ${refused.join(" ").slice(0, 200)}`);
  return wanted;
}

/** The requested scope may narrow the subject token's, never widen it (RFC 8693 §2.1 `scope`). */
function narrowedScope(subject: Presented, raw: string | undefined): readonly string[] {
  if (raw === undefined) return subject.scope;
  const requested = parseScope(raw);
  if (requested === null) throw new OAuthError("invalid_scope", 400, "scope must be space-separated scope tokens (RFC 6749 §3.3)");
  const wider = requested.filter((s) => !subject.scope.includes(s));
  if (wider.length > 0) throw new OAuthError("invalid_scope", 400, `scope exceeds the subject token's: ${wider.join(" ").slice(0, 200)}`);
  return requested;
}

/**
 * The `act` claim (RFC 8693 §4.1): the current actor outermost — the actor token's
 * subject, else the exchanging client — and the subject token's own chain nested
 * inside it, so a resource server sees every party the request passed through.
 */
function actClaim(client: RegisteredClient, subject: Presented, actor: Presented | null): Actor {
  const current = actor?.sub ?? client.clientId;
  if (subject.act === undefined) return { sub: current };
  if (subject.actDepth >= MAX_PRIOR_ACTORS) throw invalidRequest(`the delegation chain of the subject token is already ${MAX_PRIOR_ACTORS} actors long`);
  return { sub: current, act: subject.act };
}

/**
 * grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693 §2): an
 * access token issued here is traded for one aimed at another service, possibly
 * narrower, naming who acts on the subject's behalf. The new token keeps the
 * subject's gid and sid, so revoking the grant or ending the session kills it too.
 */
export async function tokenExchangeGrant(c: Context<AppEnv>, client: RegisteredClient, params: Params, dpop: AcceptedProof | null): Promise<ExchangeResponse> {
  const config = c.var.config;
  checkPolicy(client);
  const subjectToken = required(params, "subject_token");
  checkTokenType("subject_token_type", required(params, "subject_token_type"));
  const actorToken = params.get("actor_token");
  const actorType = params.get("actor_token_type");
  if ((actorToken === undefined) !== (actorType === undefined)) throw invalidRequest("actor_token and actor_token_type go together (RFC 8693 §2.1)");
  checkTokenType("actor_token_type", actorType);
  checkTokenType("requested_token_type", params.get("requested_token_type"));
  const audiences = targets(client, params);

  const subject = await verifyPresented(c.env, config, subjectToken, "subject_token");
  const actor = actorToken === undefined ? null : await verifyPresented(c.env, config, actorToken, "actor_token");
  // A client may name only itself, or a user signed in to it, as the actor: a
  // token it merely got hold of must not let it speak for another party.
  if (actor !== null && actor.clientId !== client.clientId) throw invalidRequest("the actor_token was not issued to this client");
  const scope = narrowedScope(subject, params.get("scope")).join(" ");
  const act = actClaim(client, subject, actor);
  // One shard call per user token presented (the usual case, no actor or a client as
  // actor, is one), and with a DPoP proof one more, in parallel, to spend its jti.
  await Promise.all([
    checkPresentedLive(c.env, config, subject),
    actor === null ? null : checkPresentedLive(c.env, config, actor),
    spendProofOnce(c, "token", dpop),
  ]);

  // The new token lives no longer than the tokens it came from. Otherwise exchange
  // would extend a token's life, and a chain of exchanges could keep a stolen or
  // revoked-then-forgotten token's authority alive for ever: resource servers
  // validate these JWTs locally, so expiry is the bound that holds everywhere.
  const now = Math.floor(Date.now() / 1000);
  const remaining = Math.min(subject.exp, actor?.exp ?? Number.POSITIVE_INFINITY) - now;
  if (remaining <= 0) throw invalidRequest(`the ${subject.exp - now <= 0 ? "subject_token" : "actor_token"} has expired`);
  const expiresIn = Math.min(config.accessTokenTtlS, remaining);

  const accessToken = await signAccessToken(
    c.env,
    config,
    { sub: subject.sub, aud: audiences.length === 1 ? audiences[0]! : audiences, clientId: client.clientId, scope, iat: now, exp: now + expiresIn },
    {
      ...(subject.authTime === undefined ? {} : { auth_time: subject.authTime }),
      ...(subject.acr === undefined ? {} : { acr: subject.acr }),
      ...(subject.sid === undefined ? {} : { sid: subject.sid }),
      ...(subject.gid === undefined ? {} : { gid: subject.gid }),
      act,
      ...boundClaims(dpop),
    },
  );
  return { access_token: accessToken, issued_token_type: ACCESS_TOKEN_TYPE, token_type: tokenTypeOf(dpop), expires_in: expiresIn, scope };
}
