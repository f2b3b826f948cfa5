/**
 * Passkeys (WebAuthn Level 3) in the user's shard. The router runs the ceremonies'
 * cryptography (@simplewebauthn/server, async WebCrypto); the shard reads what it needs
 * (the public key, the counter) and then, in one transaction, spends the challenge,
 * checks the counter and records the outcome. One actor method, `passkey`, takes an
 * operation named by `kind`.
 */
import type { AuthorizationAsk, LoginOutcome, NewSession } from "../api.ts";

/** A passkey as the account page lists it (and as allowCredentials / excludeCredentials need it). */
export interface PasskeyView {
  credentialId: string;
  name: string;
  transports: string[];
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A challenge answered: its SHA-256 (spent once in this bucket) and when it would have expired (ms). */
export interface SpentChallenge {
  hash: string;
  expiresAt: number;
}

/** A verified registration response, to be stored for the user the session belongs to. */
export interface NewPasskey {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  name: string;
}

/** What the router learnt from verifying an assertion (null: the signature or the data did not verify). */
export interface AssertionOutcome {
  newCounter: number;
  userVerified: boolean;
  backedUp: boolean;
  deviceType: "singleDevice" | "multiDevice";
}

export type PasskeyOp =
  | { kind: "list"; bucket: number; userId: string }
  | { kind: "read"; bucket: number; userId: string; credentialId: string }
  | { kind: "register"; bucket: number; sessionHash: string; userId: string; challenge: SpentChallenge; passkey: NewPasskey }
  | { kind: "sign_in"; bucket: number; userId: string; credentialId: string; challenge: SpentChallenge; verified: AssertionOutcome | null; session: NewSession; ask: AuthorizationAsk }
  | { kind: "remove"; bucket: number; sessionHash: string; credentialId: string }
  /** The operator API: a lost device's passkey removed for the user (no session, no last-way rule). */
  | { kind: "operator_remove"; bucket: number; userId: string; credentialId: string };

/** Each operation's answer. */
export interface PasskeyResults {
  list: { passkeys: PasskeyView[] };
  /** `publicKey` is null when the user has no such credential; `retryAfterS` > 0 while failures slow the account down. */
  read: { publicKey: string | null; counter: number; transports: string[]; retryAfterS: number; disabled: boolean };
  register: { passkey: PasskeyView };
  sign_in: LoginOutcome;
  remove: { removed: true; left: number };
  operator_remove: { removed: true; left: number };
}
export type PasskeyResult = PasskeyResults[keyof PasskeyResults];
