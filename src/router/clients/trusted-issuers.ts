import type { Env } from "../../env";
import type { Config } from "../../config";
import { storedScope } from "../../oauth/scopes";
import { getTrustedIssuerRow } from "../d1/trusted-issuers";

/** An issuer whose JWT bearer assertions (RFC 7523 §2.1) /token accepts, as the grant uses it. */
export interface TrustedIssuer {
  issuer: string;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
  /** Audiences accepted besides our issuer and token endpoint. */
  audiences: readonly string[];
  /** `user`: sub is one of our user ids; `client`: sub is the client asking. */
  subjectType: "user" | "client";
  scopes: ReadonlySet<string>;
  maxLifetimeS: number;
}

interface Entry {
  issuer: TrustedIssuer | null;
  expiresAt: number;
}

const MAX_ENTRIES = 200;
/** Unknown issuers are remembered briefly: a newly trusted one shows up soon, a stream of made-up ones costs one read each per 5 s. */
const NEGATIVE_TTL_MS = 5_000;
const entries = new Map<string, Entry>();
let generation = 0;

/**
 * The trusted issuer named `issuer`, or null. Cached per isolate for CLIENT_CACHE_TTL_MS
 * like client registrations, so a JWT bearer request makes no D1 query while its issuer
 * is cached (changes through the operator API apply at once in the isolate that made them).
 */
export async function getTrustedIssuer(env: Env, config: Config, issuer: string): Promise<TrustedIssuer | null> {
  if (issuer.length === 0 || issuer.length > 512) return null;
  const hit = entries.get(issuer);
  const now = Date.now();
  if (hit && hit.expiresAt > now) return hit.issuer;
  const started = generation;
  const row = await getTrustedIssuerRow(env.DB, issuer);
  const trusted: TrustedIssuer | null =
    row && (row.subjectType === "user" || row.subjectType === "client")
      ? Object.freeze({
          issuer: row.issuer,
          jwks: row.jwks,
          jwksUri: row.jwksUri,
          audiences: Object.freeze([...row.audiences]),
          subjectType: row.subjectType,
          scopes: new Set(storedScope(row.scope)),
          maxLifetimeS: row.maxLifetimeS,
        })
      : null;
  const ttl = trusted ? config.clientCacheTtlMs : Math.min(config.clientCacheTtlMs, NEGATIVE_TTL_MS);
  if (ttl > 0 && started === generation) {
    entries.delete(issuer);
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entries.set(issuer, { issuer: trusted, expiresAt: Date.now() + ttl });
  }
  return trusted;
}

/** Drops one issuer (the operator API, after a change) or all of them (tests). */
export function forgetTrustedIssuer(issuer?: string): void {
  generation++;
  if (issuer === undefined) entries.clear();
  else entries.delete(issuer);
}
