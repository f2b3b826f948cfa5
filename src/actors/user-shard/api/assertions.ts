import type { UserView } from "./users.ts";

// JWT assertions (RFC 7523, RFC 7521 §4.2): single use of a `jti` until the assertion expires,
// and the grant a JWT bearer assertion about a user turns into (assertions.ts).

/** An assertion to mark used: SHA-256 of (issuer, jti), in the bucket the caller chose for it. */
export interface SpendAssertionInput {
  bucket: number;
  keyHash: string;
  /** The assertion's own `exp`, in epoch ms: after it the row may go. */
  expiresAt: number;
}

/** A JWT bearer assertion about one of our users (RFC 7523 §2.1): spent, and a grant written, together. */
export interface AssertionGrantInput extends SpendAssertionInput {
  userId: string;
  grantId: string;
  clientId: string;
  issuer: string;
  scope: string;
  grantTtlS: number;
}

export interface AssertionGrant {
  user: UserView;
}
