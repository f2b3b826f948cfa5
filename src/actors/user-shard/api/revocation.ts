// Part of the user shard's contract (api.ts re-exports it).

/**
 * Token revocation (RFC 7009) and introspection (RFC 7662) inside the user's
 * shard. Each function runs inside the caller's one transaction. A token of
 * another client is treated exactly like an unknown one, so neither endpoint
 * tells a client anything about tokens it was not issued.
 */

export interface RevokeAccessInput {
  bucket: number;
  /** The token's `sub` and `gid`: the grant must be this user's. */
  userId: string;
  grantId: string;
  jti: string;
  /**
   * The token's `client_id`, which the router has matched to the authenticated
   * caller (RFC 7009 §2.1). It is not compared with the grant's client: a token
   * obtained by token exchange keeps the subject's grant but names the exchanging
   * client, and that client may revoke it.
   */
  clientId: string;
  /** Epoch ms after which the token no longer verifies anywhere; the sweep drops the row then. */
  expiresAt: number;
}

export interface RevokeRefreshInput {
  bucket: number;
  /** The family the token names. */
  grantId: string;
  tokenHash: string;
  clientId: string;
}

/** `revoked` is true only for the call that actually revoked something, so events are written once. */
export type Revoked = { revoked: boolean };

export interface IntrospectRefreshInput {
  bucket: number;
  /** The family the token names. */
  grantId: string;
  tokenHash: string;
  /** The introspecting client: another client's token is reported inactive. */
  clientId: string;
}

export type RefreshIntrospection =
  | { active: false }
  | {
      active: true;
      userId: string;
      clientId: string;
      scope: string;
      sid: string | null;
      /** Epoch seconds: when this token was issued, and when its family ends unless used again. */
      iat: number;
      exp: number;
    };
