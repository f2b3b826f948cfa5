import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../../config";
import type { Env } from "../../env";
import { newId } from "../../oauth/artifacts";
import { randomToken, sha256, timingSafeEqualStrings } from "../../oauth/secrets";
import { openSecret, sealSecret } from "../../oauth/sealed-secret";
import { BUCKET_COUNT } from "../../shard/bucket";
import type { AuthorizationRequest } from "../authorize/request";
import { OAuthError } from "../errors";
import { signJwt, verifyJwt } from "../keys/cache";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";

/**
 * The upstream round trip exists before the user is known (DESIGN.md "State before the
 * user is known"), so its state travels in the artifact: `state` is a short-lived JWT
 * signed by the provider holding the pending authorization request (or, for linking, the
 * word "link"), the provider id, the nonce, and a bucket of its own. It is bound to the
 * browser by an HttpOnly cookie whose value is also the PKCE code_verifier (RFC 7636): a
 * state replayed in another browser has neither. It is spent once, in its own bucket's
 * shard, when the callback lands.
 */
const TYP = "authshard-federation+jwt";
const TTL_S = 600;

export interface FederationState {
  provider: string;
  nonce: string;
  bucket: number;
  jti: string;
  /** SHA-256 of the binding cookie. */
  bind: string;
  /** The pending authorization request; absent when a signed-in user links an identity from the account page. */
  req?: AuthorizationRequest;
}

/**
 * On the wire the request is sealed (AES-GCM under FEDERATION_SECRET_KEY, bound to the jti):
 * the upstream sees the state, and has no business reading which application, redirect URI,
 * state or nonce the person is signing in to here.
 */
interface WireState extends Omit<FederationState, "req"> {
  sealedReq?: string;
  req?: AuthorizationRequest;
}

async function sealRequest(config: Config, jti: string, req: AuthorizationRequest | undefined): Promise<Pick<WireState, "req" | "sealedReq">> {
  if (!req) return {};
  const key = config.federation.secretKey;
  return key ? { sealedReq: await sealSecret(key, `federation-state:${jti}`, JSON.stringify(req)) } : { req };
}

async function openRequest(config: Config, wire: WireState): Promise<AuthorizationRequest | undefined | null> {
  if (wire.sealedReq === undefined) return wire.req;
  const key = config.federation.secretKey;
  const opened = key ? await openSecret(key, `federation-state:${wire.jti}`, wire.sealedReq) : null;
  return opened === null ? null : (JSON.parse(opened) as AuthorizationRequest);
}

export function bindingCookieName(config: Config): string {
  return config.secureCookies ? "__Host-authshard_federation" : "authshard_federation";
}

/** A new round trip: the binding cookie set; the state, code_challenge and nonce to send upstream. */
export async function startRoundTrip(c: Context, env: Env, config: Config, provider: string, req: AuthorizationRequest | undefined) {
  const binding = randomToken();
  // SameSite=Lax: sent on the top-level GET back from the upstream (a form_post answer is turned into one first).
  setCookie(c, bindingCookieName(config), binding, { path: "/", httpOnly: true, secure: config.secureCookies, sameSite: "Lax", maxAge: TTL_S });
  const now = Math.floor(Date.now() / 1000);
  const jti = newId();
  const claims: WireState = { provider, nonce: randomToken(16), bucket: Math.floor(Math.random() * BUCKET_COUNT), jti, bind: await sha256(binding), ...(await sealRequest(config, jti, req)) };
  const state = await signJwt(env, config, "ES256", { ...claims, iss: config.issuer, aud: config.issuer, iat: now, exp: now + TTL_S }, { typ: TYP });
  return { state, codeChallenge: await sha256(binding), nonce: claims.nonce };
}

const stale = () => new OAuthError("invalid_request", 400, "this sign-in has expired, was already used, or was started in another browser; start again from the application");

/**
 * The state the callback names, if it is ours, fresh, from this browser and not spent
 * before; spends it. Answers the state and the code_verifier.
 */
export async function endRoundTrip(c: Context, env: Env, config: Config, token: string | undefined): Promise<{ state: FederationState; verifier: string }> {
  if (!token || token.length > 8192) throw stale();
  const verified = await verifyJwt(env, config, token, { typ: TYP, audience: config.issuer });
  if (!verified.ok) throw stale();
  const wire = verified.payload as unknown as WireState;
  const req = await openRequest(config, wire);
  if (req === null) throw stale();
  const { sealedReq: _sealed, ...rest } = wire;
  const state: FederationState = { ...rest, ...(req ? { req } : {}) };
  const binding = getCookie(c, bindingCookieName(config));
  if (!binding || typeof state.bind !== "string" || !(await timingSafeEqualStrings(await sha256(binding), state.bind))) throw stale();
  deleteCookie(c, bindingCookieName(config), { path: "/", secure: config.secureCookies });
  const expiresAt = ((verified.payload.exp as number) ?? 0) * 1000;
  const spent = await callShard(env, config, state.bucket, async (shard) => shard.spendAssertion({ bucket: state.bucket, keyHash: await sha256(`federation-state:${state.jti}`), expiresAt }));
  if (!spent.ok && spent.error === "invalid_grant") throw stale();
  if (!spent.ok) throw shardFailure(spent, "sign-in", "the sign-in");
  return { state, verifier: binding };
}
