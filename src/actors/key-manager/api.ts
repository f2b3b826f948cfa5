/**
 * The RPC contract of KeyManagerActor: what routers and the operator API may ask
 * of the signing-key manager. Callers import this file, never the actor.
 */
import type { JWK } from "jose";
import type { SigningAlg } from "../../oauth/signing-alg";

export interface KeyManagerApi {
  /** The active keys (private, for signing) and the published JWKS; creates the first keys on first use. */
  keySet(): Promise<KeySet>;
  /** Rotates now: next becomes active, active retires, a new next is published. */
  rotate(): Promise<KeySet>;
  /** Every key as operators see it, never any private material. */
  listKeys(): { keys: KeyInfo[]; rotatesAt: number | null };
  // SAML 2.0 IdP (src/saml): the RS256 keys as X.509 certificates.
  /** The active RS256 key (private, for signing) and every published RS256 key as a self-signed certificate. */
  samlKeys(): Promise<SamlKeys>;
}

export type KeyState = "next" | "active" | "retired";

/** Everything a router needs to sign and verify; cached per isolate (src/router/keys/cache.ts). */
export interface KeySet {
  active: Record<SigningAlg, { kid: string; privateJwk: JWK }>;
  /** Public keys only (RFC 7517 §5): active, next, and retired ones whose tokens may still be alive. */
  jwks: JWK[];
  rotatesAt: number;
}

/** A key as operators see it: never any private material. */
export interface KeyInfo {
  kid: string;
  alg: SigningAlg;
  state: KeyState;
  created_at: number;
  activated_at: number | null;
  retired_at: number | null;
  retire_until: number | null;
}


/** SAML signing material (src/actors/key-manager/saml-certificates.ts); cached per isolate by src/router/saml/keys.ts. */
export interface SamlKeys {
  active: { kid: string; privateJwk: JWK };
  /** Base64 DER of each published RS256 key's certificate: next (pre-trust), active, retired. */
  certificates: { kid: string; state: KeyState; certificate: string }[];
}
