import { SECURITY_PROFILES, type SecurityProfile } from "./fapi";
import { storedScope } from "../../oauth/scopes";
import { DELIVERY_MODES, type DeliveryMode } from "../../oauth/ciba";
import { SIGNING_ALGS, type SigningAlg } from "../../oauth/signing-alg";
import { isAssertionAlg, type AssertionAlg } from "../../oauth/assertion-algs";
import type { Env } from "../../env";
import type { Config } from "../../config";
import { getClientRow, type ClientRow } from "../d1/clients";
import { d1Unavailable } from "../d1/unavailable";
import { DependencyBackoff } from "../dependency-backoff";
import { AUTH_METHODS, CLIENT_ID } from "./auth-methods";
import { sectorOf, SUBJECT_TYPES, type SubjectType } from "../../oauth/pairwise";
import type { PublicJwks } from "../../oauth/jwks";
import { responseProtectionOf, type ResponseProtection } from "./jwe-settings";
// Admin console: its built-in first-party client.
import { CONSOLE_CLIENT_ID, consoleClient } from "../console/client";
import { brandOf, type Brand } from "../../branding/brand";

/** A client as the protocol endpoints use it: parsed once, immutable, shared by the requests of an isolate. */
export interface RegisteredClient {
  clientId: string;
  clientName: string;
  clientType: "confidential" | "public";
  /** Compared by exact string match (RFC 6749 §3.1.2.3; OAuth 2.1 §2.3.1), never normalized. */
  redirectUris: readonly string[];
  postLogoutRedirectUris: readonly string[];
  grantTypes: ReadonlySet<string>;
  scopes: ReadonlySet<string>;
  tokenEndpointAuthMethod: "client_secret_basic" | "client_secret_post" | "none" | "private_key_jwt" | "client_secret_jwt";
  idTokenSignedResponseAlg: SigningAlg;
  /** SHA-256 (base64url) of the secret; null for public clients. */
  secretHash: string | null;
  /** Offline refresh families survive RP-initiated logout. */
  offlineSurvivesLogout: boolean;
  /** Refresh grace window for this client; null = REFRESH_GRACE_S. */
  refreshGraceS: number | null;
  /** Audiences this client may request by token exchange (RFC 8693). */
  tokenExchangeAudiences: readonly string[];
  /** OIDC Back-Channel Logout 1.0 §2.2: where to POST logout tokens (null: not registered)... */
  backchannelLogoutUri: string | null;
  /** ...and whether each must carry the session's sid. */
  backchannelLogoutSessionRequired: boolean;
  /** OIDC Front-Channel Logout 1.0 §2: the page to frame at logout (null: not registered)... */
  frontchannelLogoutUri: string | null;
  /** ...and whether it gets iss and sid as query parameters. */
  frontchannelLogoutSessionRequired: boolean;
  /** DPoP (RFC 9449 §5.2): /token refuses this client's requests without a DPoP proof. */
  dpopBoundAccessTokens: boolean;
  /** OIDC Core §8.1: the `sub` this client sees — the user id (public) or one of its sector (pairwise). */
  subjectType: SubjectType;
  /** The pairwise sector: the one host of the redirect URIs; null for public clients. */
  sectorIdentifier: string | null;
  /** RFC 9126 §6: /authorize accepts this client's requests only as pushed ones. */
  requirePushedAuthorizationRequests: boolean;
  /** JARM §3: how its JWT-secured authorization responses are signed. */
  authorizationSignedResponseAlg: SigningAlg;
  /** The canonical response types it may ask /authorize for (OIDC Core §3.1, §3.3). */
  responseTypes: ReadonlySet<string>;
  /** CIBA Core §4: poll, ping or push (null: the client does not use CIBA)... */
  backchannelTokenDeliveryMode: DeliveryMode | null;
  /** ...where ping and push notifications go... */
  backchannelClientNotificationEndpoint: string | null;
  /** ...and whether each request carries a user_code (§7.1). */
  backchannelUserCodeParameter: boolean;
  // Encrypted ID tokens and signed/encrypted UserInfo (OIDC Core §5.3.2, §10.2).
  /** The client's public keys by value (RFC 7591 §2), or null. */
  jwks: PublicJwks | null;
  /** Where the client publishes its keys (RFC 7591 §2), or null. */
  jwksUri: string | null;
  idTokenEncryption: ResponseProtection["idTokenEncryption"];
  userinfoSignedResponseAlg: ResponseProtection["userinfoSignedResponseAlg"];
  userinfoEncryption: ResponseProtection["userinfoEncryption"];
  // JWT assertions (RFC 7523, RFC 9101): the client's public keys, by value or by reference
  // (read through clients/client-keys.ts), and the algorithm each kind of JWT must use (null: any).
  tokenEndpointAuthSigningAlg: AssertionAlg | null;
  requestObjectSigningAlg: AssertionAlg | null;
  requireSignedRequestObject: boolean;
  /** FAPI 2.0 Security Profile (clients/fapi.ts): "fapi2" holds this client to the profile's rules; null: none. */
  securityProfile: SecurityProfile | null;
  /** Two-factor sign-in: every sign-in to this client needs the second factor. */
  mfaRequired: boolean;
  /** Branding and languages: the client's look over the deployment's (null: none of its own). */
  branding: Brand | null;
  /** RFC 7591 §2 links shown on the consent page (from the client's metadata), when https. */
  links: { clientUri: string | null; policyUri: string | null; tosUri: string | null };
}

interface Entry {
  client: RegisteredClient | null;
  expiresAt: number;
  /** When a request started re-reading this expired entry; others serve it stale meanwhile. */
  refreshingSince?: number;
}

/** A refresher that has not finished within this long is presumed gone (its request was cancelled). */
const REFRESH_STALL_MS = 2_000;

/** Bounds the memory an isolate spends on clients, including ids that do not exist. */
const MAX_ENTRIES = 1000;
/** Unknown ids are remembered only briefly, so a client registered elsewhere shows up soon. */
const NEGATIVE_TTL_MS = 5_000;

// Map order is insertion order and every hit re-inserts its key, so the first
// key is always the least recently used one: an LRU without extra bookkeeping.
const entries = new Map<string, Entry>();
// Bumped by forgetClient. A D1 read that started before a change must not cache
// what it read, or the change would be hidden for a whole TTL.
let generation = 0;
// After a failed D1 read, reads wait: expired registrations are served as they are.
const d1Backoff = new DependencyBackoff();

/**
 * The registered client, or null when there is none. The /token and /authorize
 * hot paths call this on every request, so registrations are cached per isolate
 * for `config.clientCacheTtlMs` (changes made through the operator API in the same
 * isolate apply at once; other isolates see them within the TTL).
 *
 * Concurrent misses each read D1 rather than sharing one promise: a promise tied to
 * another request's I/O can be cancelled with that request in Workers. When a known
 * client's entry expires, one request re-reads it while the others go on with the
 * expired registration, so a busy isolate makes one D1 read per client per TTL.
 *
 * When D1 fails, a client this isolate knows is served as it was last read, for as
 * long as D1 stays down (re-read after a backoff of 1 s doubling to 30 s, during which
 * D1 is not asked at all): clients already in use keep working. A client the isolate
 * does not know (or knew only as unknown) cannot be looked up: 503
 * temporarily_unavailable. The price: a change made in the last TTL before the outage
 * (a rotated secret, a deleted client) may not reach an isolate that cached the old
 * registration until D1 answers again.
 */
export async function getClient(env: Env, config: Config, clientId: string): Promise<RegisteredClient | null> {
  // Ids that cannot be registered cost neither a D1 read nor a cache slot.
  if (!CLIENT_ID.test(clientId)) return null;
  // Admin console: built in, not in D1 (src/router/console/client.ts).
  if (clientId === CONSOLE_CLIENT_ID) return consoleClient(config);
  const hit = entries.get(clientId);
  const now = Date.now();
  if (hit && hit.expiresAt > now) {
    entries.delete(clientId);
    entries.set(clientId, hit);
    return hit.client;
  }
  const known = hit && hit.client !== null ? hit : null;
  if (known) {
    if (known.refreshingSince !== undefined && now - known.refreshingSince < REFRESH_STALL_MS) return known.client;
    if (d1Backoff.waiting(now)) return known.client;
    known.refreshingSince = now;
  } else if (d1Backoff.waiting(now)) {
    throw d1Unavailable("the client registry", "D1 failed moments ago (backing off)");
  }
  const started = generation;
  let row: ClientRow | null;
  try {
    row = await getClientRow(env.DB, clientId);
    d1Backoff.succeeded();
  } catch (error) {
    d1Backoff.failed(Date.now());
    if (!known) throw error;
    delete known.refreshingSince;
    console.warn(`client ${clientId}: D1 unreachable; serving the registration read before`, String(error));
    return known.client;
  }
  const client = row ? toRegisteredClient(row) : null;
  const ttl = client ? config.clientCacheTtlMs : Math.min(config.clientCacheTtlMs, NEGATIVE_TTL_MS);
  if (ttl > 0 && started === generation) remember(clientId, { client, expiresAt: Date.now() + ttl });
  else entries.delete(clientId);
  return client;
}

/**
 * Drops one client from this isolate's cache (the operator API calls it after every
 * change), or all of them and any memory of D1 failures (tests).
 */
export function forgetClient(clientId?: string): void {
  generation++;
  if (clientId !== undefined) {
    entries.delete(clientId);
    return;
  }
  entries.clear();
  d1Backoff.succeeded();
}

function remember(clientId: string, entry: Entry): void {
  entries.delete(clientId);
  if (entries.size >= MAX_ENTRIES) {
    const oldest = entries.keys().next();
    if (!oldest.done) entries.delete(oldest.value);
  }
  entries.set(clientId, entry);
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/**
 * Rows are written only by the operator API and dynamic registration, which validate them; a row that still
 * does not make sense (edited by hand, or by an older version) is treated as no
 * client at all and logged, rather than half-trusted.
 */
function toRegisteredClient(row: ClientRow): RegisteredClient | null {
  const { clientType, tokenEndpointAuthMethod: method, idTokenSignedResponseAlg: alg } = row;
  const consistent =
    (clientType === "public" && method === "none" && row.secretHash === null) ||
    (clientType === "confidential" && method !== "none" && method !== "private_key_jwt" && row.secretHash !== null) ||
    (clientType === "confidential" && method === "private_key_jwt" && row.secretHash === null && (row.jwks !== null || row.jwksUri !== null));
  const algsKnown = [row.tokenEndpointAuthSigningAlg, row.requestObjectSigningAlg].every((a) => a === null || isAssertionAlg(a));
  if (!isOneOf(clientType, ["confidential", "public"]) || !isOneOf(method, AUTH_METHODS) || !isOneOf(alg, SIGNING_ALGS) || !consistent || !algsKnown) {
    console.error(`client ${row.clientId}: inconsistent registration (type ${clientType}, method ${method}, alg ${alg}); ignored`);
    return null;
  }
  const subjectType = row.subjectType;
  const sector = subjectType === "pairwise" ? sectorOf(row.redirectUris) : null;
  if (!isOneOf(subjectType, SUBJECT_TYPES) || (subjectType === "pairwise" && sector === null)) {
    console.error(`client ${row.clientId}: subject_type ${subjectType} without one redirect host; ignored`);
    return null;
  }
  if (!isOneOf(row.authorizationSignedResponseAlg, SIGNING_ALGS)) {
    console.error(`client ${row.clientId}: unknown authorization_signed_response_alg ${row.authorizationSignedResponseAlg}; ignored`);
    return null;
  }
  const authorizationSignedResponseAlg = row.authorizationSignedResponseAlg;
  const protection = responseProtectionOf(row);
  if (typeof protection === "string") {
    console.error(`client ${row.clientId}: inconsistent registration (${protection}); ignored`);
    return null;
  }
  return Object.freeze({
    clientId: row.clientId,
    clientName: row.clientName,
    clientType,
    redirectUris: Object.freeze([...row.redirectUris]),
    postLogoutRedirectUris: Object.freeze([...row.postLogoutRedirectUris]),
    grantTypes: new Set(row.grantTypes),
    scopes: new Set(storedScope(row.scope)),
    tokenEndpointAuthMethod: method,
    idTokenSignedResponseAlg: alg,
    secretHash: row.secretHash,
    offlineSurvivesLogout: row.offlineSurvivesLogout,
    refreshGraceS: row.refreshGraceS,
    tokenExchangeAudiences: Object.freeze([...row.tokenExchangeAudiences]),
    backchannelLogoutUri: row.backchannelLogoutUri,
    backchannelLogoutSessionRequired: row.backchannelLogoutSessionRequired,
    frontchannelLogoutUri: row.frontchannelLogoutUri,
    frontchannelLogoutSessionRequired: row.frontchannelLogoutSessionRequired,
    dpopBoundAccessTokens: row.dpopBoundAccessTokens,
    subjectType,
    sectorIdentifier: sector,
    requirePushedAuthorizationRequests: row.requirePushedAuthorizationRequests,
    authorizationSignedResponseAlg,
    responseTypes: new Set(row.responseTypes),
    backchannelTokenDeliveryMode: isOneOf(row.backchannelTokenDeliveryMode ?? "", DELIVERY_MODES) ? (row.backchannelTokenDeliveryMode as DeliveryMode) : null,
    backchannelClientNotificationEndpoint: row.backchannelClientNotificationEndpoint,
    backchannelUserCodeParameter: row.backchannelUserCodeParameter,
    jwks: row.jwks,
    jwksUri: row.jwksUri,
    ...protection,
    tokenEndpointAuthSigningAlg: row.tokenEndpointAuthSigningAlg as AssertionAlg | null,
    requestObjectSigningAlg: row.requestObjectSigningAlg as AssertionAlg | null,
    requireSignedRequestObject: row.requireSignedRequestObject,
    securityProfile: isOneOf(row.securityProfile ?? "", SECURITY_PROFILES) ? (row.securityProfile as SecurityProfile) : null,
    mfaRequired: row.mfaRequired,
    branding: row.branding == null ? null : brandOf(row.branding),
    links: linksOf({ ...row.metadata, ...(row.branding ?? {}) }),
  });
}

/**
 * RFC 7591 §2 client_uri, policy_uri, tos_uri: the operator's (branding) over the registration's
 * metadata; https URLs only (they become links). A registered logo_uri is never shown: pages load
 * no image from elsewhere; an operator uploads the logo instead (POST /admin/branding/logos).
 */
function linksOf(metadata: Record<string, unknown>): RegisteredClient["links"] {
  const https = (value: unknown): string | null => {
    if (typeof value !== "string" || value.length > 2000) return null;
    try {
      return new URL(value).protocol === "https:" ? value : null;
    } catch {
      return null;
    }
  };
  return Object.freeze({ clientUri: https(metadata.client_uri), policyUri: https(metadata.policy_uri), tosUri: https(metadata.tos_uri) });
}
