/**
 * DPoP (RFC 9449) in the user's shard: what /token and /userinfo pass along with a
 * request that carried a proof, so the one transaction that serves the request also
 * refuses a replayed proof and checks or sets the key a code or refresh family is bound to.
 */

/** A proof to remember (§11.1): the SHA-256 of its jti, kept until its iat window closes (epoch ms). */
export interface DpopProofRecord {
  jtiHash: string;
  expiresAt: number;
}

/** A /token request's proof: its key's thumbprint (RFC 7638) and the proof to remember. */
export interface DpopAtToken {
  jkt: string;
  proof: DpopProofRecord;
  /** §5: a public client's refresh family is bound to the key; a confidential client's is not (client authentication binds it). */
  bindRefresh: boolean;
}
