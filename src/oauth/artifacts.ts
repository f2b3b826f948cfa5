import { isBucket } from "../shard/bucket";
import { randomToken } from "./secrets";

/**
 * Opaque artifacts start with their bucket so the router finds the owning shard
 * without a lookup (DESIGN.md): session `s.<bucket>.<secret>`, code
 * `c.<bucket>.<secret>`, refresh token `r.<bucket>.<grant>.<secret>`, device code
 * `d.<bucket>.<secret>` (RFC 8628; its bucket is its user code's), pushed request
 * `p.<bucket>.<secret>` (RFC 9126, inside its request_uri; a random bucket). Only
 * their SHA-256 is stored.
 */
export type ArtifactKind = "s" | "c" | "r" | "d" | "p" | "b";

const SECRET = "[A-Za-z0-9_-]{43}";
const PATTERNS: Record<ArtifactKind, RegExp> = {
  s: new RegExp(`^s\\.(\\d{1,4})\\.${SECRET}$`),
  c: new RegExp(`^c\\.(\\d{1,4})\\.${SECRET}$`),
  d: new RegExp(`^d\\.(\\d{1,4})\\.${SECRET}$`),
  p: new RegExp(`^p\\.(\\d{1,4})\\.${SECRET}$`),
  r: new RegExp(`^r\\.(\\d{1,4})\\.([A-Za-z0-9_-]{22})\\.${SECRET}$`),
  // CIBA auth_req_id `b.<bucket>.<mac>` (CIBA Core §7.3): its bucket is its user's (src/router/ciba/ids.ts).
  b: new RegExp(`^b\\.(\\d{1,4})\\.${SECRET}$`),
};

export function mintArtifact(kind: "s" | "c" | "d" | "p", bucket: number): string {
  return `${kind}.${bucket}.${randomToken()}`;
}

export function mintRefreshToken(bucket: number, grantId: string): string {
  return `r.${bucket}.${grantId}.${randomToken()}`;
}

/** The bucket an artifact belongs to, or null if it is not one of ours. */
export function bucketOfArtifact(kind: ArtifactKind, value: string): number | null {
  const match = PATTERNS[kind].exec(value);
  if (!match) return null;
  const bucket = Number(match[1]);
  return isBucket(bucket) ? bucket : null;
}

/** The grant id inside a refresh token, or null. */
export function grantOfRefreshToken(value: string): string | null {
  return PATTERNS.r.exec(value)?.[2] ?? null;
}

/** 128-bit ids for grants and sessions (`sid`). */
export function newId(): string {
  return randomToken(16);
}
