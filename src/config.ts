import type { Env } from "./env";
import { asPublicJwks, publicJwksProblem, type PublicJwks } from "./oauth/jwks";
import { MAX_SHARDS } from "./shard/map";
import { ConfigError, LOOPBACK, parseChoice, parseInteger, parseSwitch } from "./config-parse";
import { parseCiba, parseEmail, parseMfa, type CibaConfig, type EmailConfig, type MfaConfig } from "./config-flows";
import { parseLdap, type LdapConfig } from "./config-ldap";
import { parseFederation, type FederationConfig } from "./config-federation";
import { parsePasskeys, type PasskeyConfig } from "./config-flows";
import { parseBranding } from "./config-flows";
import type { Brand } from "./branding/brand";
export { ConfigError } from "./config-parse";
export type { CibaConfig, EmailConfig, MfaConfig } from "./config-flows";
// Admin console
import { parseConsole, type ConsoleConfig } from "./config-flows";
export type { ConsoleConfig } from "./config-flows";
export type { LdapConfig } from "./config-ldap";

/** Who may use POST /register (RFC 7591 §3): holders of an initial access token, anyone, or nobody. */
export type RegistrationMode = "token" | "open" | "off";

/** The one issuer whose software statements (RFC 7591 §2.3) are trusted, and its public keys. */
export interface SoftwareStatementTrust {
  readonly issuer: string;
  readonly jwks: PublicJwks;
}

/** Validated, frozen configuration. `loadConfig` is the only reader of env variables. */
export interface Config {
  /** Issuer URL without a trailing slash; every URL the provider emits is built from it. */
  readonly issuer: string;
  /** Shards created with the first map; later changes go through rebalancing. */
  readonly shardCount: number;
  /** Operator API bearer token; null turns the operator API off. */
  readonly adminToken: string | null;
  /** How long a router isolate trusts its cached shard map. */
  readonly mapCacheTtlMs: number;
  /** How long a request may wait for a fenced bucket before 503 temporarily_unavailable. */
  readonly shardRetryBudgetMs: number;
  /** Cookies get `Secure` unless the issuer is a loopback http URL. */
  readonly secureCookies: boolean;
  /** Lifetime of access tokens (RFC 9068 JWTs). */
  readonly accessTokenTtlS: number;
  /** Lifetime of ID tokens. */
  readonly idTokenTtlS: number;
  /** Lifetime of authorization codes (RFC 6749 §4.1.2 recommends at most 10 minutes). */
  readonly codeTtlS: number;
  /** Lifetime of a device authorization's device and user codes (RFC 8628 §3.2 expires_in). */
  readonly deviceCodeTtlS: number;
  /** A session ends after this long without use... */
  readonly sessionIdleTtlS: number;
  /** ...and at the latest this long after sign-in. */
  readonly sessionMaxTtlS: number;
  /** How often the signing keys rotate. */
  readonly keyRotationIntervalS: number;
  /** How long a router isolate trusts its cached signing keys and JWKS. */
  readonly keyCacheTtlMs: number;
  /**
   * How much longer than keyCacheTtlMs an isolate goes on signing with the keys it
   * holds while the key manager cannot be reached; retired keys stay published this
   * much longer too, so what it signs stays verifiable.
   */
  readonly keyStaleSigningMs: number;
  /** How long a login or consent page stays valid. */
  readonly interactionTtlS: number;
  /** How long a router isolate trusts a cached client registration (unknown ids: at most 5 s). */
  readonly clientCacheTtlMs: number;
  /** A refresh-token family ends after this long unused... */
  readonly refreshIdleTtlS: number;
  /** ...and at the latest this long after the code was redeemed. */
  readonly refreshMaxTtlS: number;
  /** Seconds a just-rotated refresh token may be retried for the same successor (0 = off). */
  readonly refreshGraceS: number;
  /** Days of audit events kept in D1 for the operator API; older ones live only in the R2 archive. */
  readonly auditRetentionDays: number;
  /** Events a shard's outbox keeps while the audit queue is unreachable; beyond it the oldest go. */
  readonly outboxMaxEvents: number;
  /** Event types archived to R2 only, not kept in the D1 window (the high-volume routine ones). */
  readonly auditWindowSkip: ReadonlySet<string>;
  /** Which requests get a JSON log line: all, errors (5xx, 429, shard retries), or off. Metrics cover every request either way. */
  readonly logRequests: "all" | "errors" | "off";
  /** The router's rate limits (src/router/rate-limit); off only for local load runs. */
  readonly rateLimits: boolean;
  /** Dynamic client registration: with an initial access token (default), open to anyone, or off. */
  readonly registration: RegistrationMode;
  /** Whose software statements registration accepts; null: none (they are refused as unapproved). */
  readonly softwareStatementTrust: SoftwareStatementTrust | null;
  /** DPoP (RFC 9449 §8, §9): where a server nonce is required — nowhere, at /token, or at /token and /userinfo. */
  readonly dpopNonce: "off" | "token" | "all";
  /** The secret DPoP nonces are HMACs under; null while dpopNonce is off. */
  readonly dpopNonceSecret: string | null;
  /** Seconds a proof's iat may lie from our clock, either way; a proof's jti is remembered this long (§11.1). */
  readonly dpopIatWindowS: number;
  /**
   * The key of pairwise subject identifiers (OIDC Core §8.1, PAIRWISE_SALT); null when
   * unset on a public issuer, which leaves pairwise subjects off. Changing it changes
   * every pairwise `sub`.
   */
  readonly pairwiseSalt: string | null;
  // Pushed authorization requests (RFC 9126).
  /** Seconds a pushed request_uri stays usable (§2.2 expires_in). */
  readonly parTtlS: number;
  /** Every client must push its authorization requests (§6 require_pushed_authorization_requests, provider-wide). */
  readonly requirePar: boolean;
  /** CLIENT_SECRET_KEY: seals client_secret_jwt clients' secrets (base64url, 32 bytes); null: client_secret_jwt is refused. */
  readonly clientSecretKey: string | null;
  /** CIBA (OpenID CIBA Core 1.0): see CibaConfig. */
  readonly ciba: CibaConfig;
  /** Email codes, magic links, sign-up and password reset: see EmailConfig. */
  readonly email: EmailConfig;
  /** Two-factor sign-in (README "Two-factor sign-in (TOTP)"): see MfaConfig. */
  readonly mfa: MfaConfig;
  /** Admin console (README "Admin console"): see ConsoleConfig. */
  readonly console: ConsoleConfig;
  /** LDAP / Active Directory sign-in and sync (README "LDAP / Active Directory"); null: off. */
  readonly ldap: LdapConfig | null;
  /** Sign in with upstream identity providers (README "Sign in with other providers (federation)"). */
  readonly federation: FederationConfig;
  /** Passkeys (README "Passkeys"): see PasskeyConfig. */
  readonly passkeys: PasskeyConfig;
  /** Branding and languages: the deployment's look of the pages (BRAND_*); clients override it. */
  readonly branding: Brand;
}

function parseIssuer(raw: string | undefined): { issuer: string; loopback: boolean } {
  if (raw === undefined || raw.trim() === "") throw new ConfigError("ISSUER", "is required (e.g. https://id.example.com)");
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError("ISSUER", `is not a URL: ${JSON.stringify(raw)}`);
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError("ISSUER", "must use https (http is allowed only for localhost / 127.0.0.1)");
  }
  if (url.search || url.hash) throw new ConfigError("ISSUER", "must not have a query or fragment (OIDC Discovery §3)");
  if (url.username || url.password) throw new ConfigError("ISSUER", "must not contain credentials");
  return { issuer: url.href.replace(/\/+$/, ""), loopback };
}

function parseAdminToken(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (raw.length < 16) throw new ConfigError("ADMIN_TOKEN", "must be at least 16 characters (or unset to turn the operator API off)");
  return raw;
}

/** A comma-separated list of audit event types (`none` for the empty list). */
function parseTypeList(variable: string, raw: string | undefined, fallback: string[]): ReadonlySet<string> {
  if (raw === undefined || raw.trim() === "") return new Set(fallback);
  if (raw.trim() === "none") return new Set();
  const types = raw.split(",").map((t) => t.trim());
  const bad = types.find((t) => !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(t));
  if (bad !== undefined) throw new ConfigError(variable, `must be a comma-separated list of event types like token.issued (or none), got ${JSON.stringify(bad)}`);
  return new Set(types);
}

/** One of `choices`; the first is the default. */

/** `on` (the default) or `off`: a switch, so a typo must not silently turn the limits off. */

/**
 * DCR_SOFTWARE_STATEMENT_ISSUER and DCR_SOFTWARE_STATEMENT_JWKS, both or neither: a
 * statement is trusted for its `iss` and verified with that issuer's public keys.
 */
function parseSoftwareStatementTrust(rawIssuer: string | undefined, rawJwks: string | undefined): SoftwareStatementTrust | null {
  const issuer = rawIssuer?.trim() ?? "";
  const jwksText = rawJwks?.trim() ?? "";
  if (issuer === "" && jwksText === "") return null;
  if (issuer === "") throw new ConfigError("DCR_SOFTWARE_STATEMENT_ISSUER", "is required with DCR_SOFTWARE_STATEMENT_JWKS (the iss its statements carry)");
  if (jwksText === "") throw new ConfigError("DCR_SOFTWARE_STATEMENT_JWKS", "is required with DCR_SOFTWARE_STATEMENT_ISSUER (the issuer's public keys as a JWK Set)");
  if (issuer.length > 512) throw new ConfigError("DCR_SOFTWARE_STATEMENT_ISSUER", "must be at most 512 characters");
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwksText);
  } catch {
    throw new ConfigError("DCR_SOFTWARE_STATEMENT_JWKS", "is not JSON (expected a JWK Set)");
  }
  const jwks = asPublicJwks(parsed);
  if (!jwks) throw new ConfigError("DCR_SOFTWARE_STATEMENT_JWKS", publicJwksProblem(parsed)!);
  return Object.freeze({ issuer, jwks });
}

/** DPOP_NONCE_SECRET is needed exactly when nonces are on; a short one would make nonces guessable. */
function parseDpopNonceSecret(mode: Config["dpopNonce"], raw: string | undefined): string | null {
  if (mode === "off") return null;
  if (raw === undefined || raw.length < 32) throw new ConfigError("DPOP_NONCE_SECRET", `must be at least 32 characters while DPOP_NONCE is ${mode}`);
  return raw;
}

/**
 * Local runs (a loopback issuer) get a fixed key, so pairwise subjects work out of the
 * box and stay stable across restarts; a public issuer must be given its own secret.
 */
const DEV_PAIRWISE_SALT = "authshard-local-development-pairwise-salt-not-secret";

function parsePairwiseSalt(raw: string | undefined, loopback: boolean): string | null {
  if (raw === undefined || raw === "") return loopback ? DEV_PAIRWISE_SALT : null;
  if (raw.length < 32) throw new ConfigError("PAIRWISE_SALT", "must be at least 32 characters (e.g. openssl rand -base64 32)");
  return raw;
}

/** CLIENT_SECRET_KEY: unset, or base64url of exactly 32 bytes (an AES-256 key). */
function parseSecretKey(raw: string | undefined): string | null {
  const value = raw?.trim() ?? "";
  if (value === "") return null;
  if (!/^[A-Za-z0-9_-]{43}$/.test(value)) throw new ConfigError("CLIENT_SECRET_KEY", "must be base64url of 32 random bytes (43 characters), e.g. from `openssl rand -base64 32 | tr '+/' '-_' | tr -d =`");
  return value;
}

export function parseConfig(env: Partial<Env>): Config {
  const { issuer, loopback } = parseIssuer(env.ISSUER);
  const dpopNonce = parseChoice("DPOP_NONCE", env.DPOP_NONCE, ["off", "token", "all"] as const);
  return Object.freeze({
    issuer,
    shardCount: parseInteger("SHARD_COUNT", env.SHARD_COUNT, 4, 1, MAX_SHARDS),
    adminToken: parseAdminToken(env.ADMIN_TOKEN),
    mapCacheTtlMs: parseInteger("MAP_CACHE_TTL_MS", env.MAP_CACHE_TTL_MS, 5_000, 0, 300_000),
    shardRetryBudgetMs: parseInteger("SHARD_RETRY_BUDGET_MS", env.SHARD_RETRY_BUDGET_MS, 2_000, 0, 30_000),
    secureCookies: !loopback,
    accessTokenTtlS: parseInteger("ACCESS_TOKEN_TTL_S", env.ACCESS_TOKEN_TTL_S, 600, 30, 86_400),
    idTokenTtlS: parseInteger("ID_TOKEN_TTL_S", env.ID_TOKEN_TTL_S, 3_600, 30, 86_400),
    codeTtlS: parseInteger("CODE_TTL_S", env.CODE_TTL_S, 60, 5, 3_600),
    deviceCodeTtlS: parseInteger("DEVICE_CODE_TTL_S", env.DEVICE_CODE_TTL_S, 600, 60, 3_600),
    sessionIdleTtlS: parseInteger("SESSION_IDLE_TTL_S", env.SESSION_IDLE_TTL_S, 86_400, 60, 31_536_000),
    sessionMaxTtlS: parseInteger("SESSION_MAX_TTL_S", env.SESSION_MAX_TTL_S, 2_592_000, 60, 31_536_000),
    keyRotationIntervalS: parseInteger("KEY_ROTATION_INTERVAL_S", env.KEY_ROTATION_INTERVAL_S, 2_592_000, 3_600, 31_536_000),
    keyCacheTtlMs: parseInteger("KEY_CACHE_TTL_MS", env.KEY_CACHE_TTL_MS, 60_000, 0, 3_600_000),
    keyStaleSigningMs: parseInteger("KEY_STALE_SIGNING_S", env.KEY_STALE_SIGNING_S, 3_600, 0, 86_400) * 1000,
    interactionTtlS: parseInteger("INTERACTION_TTL_S", env.INTERACTION_TTL_S, 900, 60, 86_400),
    clientCacheTtlMs: parseInteger("CLIENT_CACHE_TTL_MS", env.CLIENT_CACHE_TTL_MS, 30_000, 0, 600_000),
    refreshIdleTtlS: parseInteger("REFRESH_IDLE_TTL_S", env.REFRESH_IDLE_TTL_S, 2_592_000, 60, 31_536_000),
    refreshMaxTtlS: parseInteger("REFRESH_MAX_TTL_S", env.REFRESH_MAX_TTL_S, 7_776_000, 60, 315_360_000),
    refreshGraceS: parseInteger("REFRESH_GRACE_S", env.REFRESH_GRACE_S, 0, 0, 300),
    auditRetentionDays: parseInteger("AUDIT_RETENTION_DAYS", env.AUDIT_RETENTION_DAYS, 30, 1, 3_650),
    outboxMaxEvents: parseInteger("OUTBOX_MAX_EVENTS", env.OUTBOX_MAX_EVENTS, 1_000_000, 1_000, 50_000_000),
    auditWindowSkip: parseTypeList("AUDIT_WINDOW_SKIP", env.AUDIT_WINDOW_SKIP, ["token.issued"]),
    logRequests: parseChoice("LOG_REQUESTS", env.LOG_REQUESTS, ["errors", "all", "off"] as const),
    rateLimits: parseSwitch("RATE_LIMITS", env.RATE_LIMITS, true),
    registration: parseChoice("REGISTRATION", env.REGISTRATION, ["token", "open", "off"] as const),
    softwareStatementTrust: parseSoftwareStatementTrust(env.DCR_SOFTWARE_STATEMENT_ISSUER, env.DCR_SOFTWARE_STATEMENT_JWKS),
    dpopNonce,
    dpopNonceSecret: parseDpopNonceSecret(dpopNonce, env.DPOP_NONCE_SECRET),
    dpopIatWindowS: parseInteger("DPOP_IAT_WINDOW_S", env.DPOP_IAT_WINDOW_S, 60, 5, 600),
    pairwiseSalt: parsePairwiseSalt(env.PAIRWISE_SALT, loopback),
    parTtlS: parseInteger("PAR_TTL_S", env.PAR_TTL_S, 60, 10, 600),
    requirePar: parseSwitch("REQUIRE_PAR", env.REQUIRE_PAR, false),
    clientSecretKey: parseSecretKey(env.CLIENT_SECRET_KEY),
    ciba: parseCiba(env),
    email: parseEmail(env),
    mfa: parseMfa(env, loopback),
    console: parseConsole(env),
    ldap: parseLdap(env),
    federation: parseFederation(env, loopback),
    passkeys: parsePasskeys(env, issuer),
    branding: parseBranding(env),
  });
}

const cache = new WeakMap<object, Config>();
/** Wrappers of an env (metrics mode's counting env, one per request) → the env whose variables they carry. */
const wrappedEnv = new WeakMap<object, Env>();

/** Parses once per env object (per isolate in production). Throws ConfigError naming the variable. */
export function loadConfig(env: Env): Config {
  const source = wrappedEnv.get(env) ?? env;
  let config = cache.get(source);
  if (!config) {
    config = parseConfig(source);
    cache.set(source, config);
  }
  return config;
}

/**
 * `wrapper` carries the same variables as `env` (only its bindings differ), so
 * it shares env's parsed config instead of parsing again per wrapper object.
 */
export function shareConfig(wrapper: Env, env: Env): void {
  wrappedEnv.set(wrapper, wrappedEnv.get(env) ?? env);
}
