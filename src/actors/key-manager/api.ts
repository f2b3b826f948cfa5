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

