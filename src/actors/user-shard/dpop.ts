import { fail, type ShardResult } from "../results";
import type { DpopProofRecord } from "./api";
import { firstRow } from "./raw";

/**
 * DPoP proof replay (RFC 9449 §11.1), inside the transaction of the operation the
 * proof came with: a proof whose jti this bucket has seen is refused before the
 * operation runs, and a proof is remembered only when the operation succeeds —
 * a refused request writes nothing, and its proof cannot be used again anyway
 * except for the same refusal.
 *
 * Why the user's shard is enough: a proof is signed by one key and, at a resource,
 * names one access token (`ath`), so it can only be replayed against the state of
 * the user whose token or code it came with — the same bucket, the same shard. A
 * proof lifted from one user's request is useless for another user's token. Requests
 * with no user's shard (client_credentials, token exchange, /par) spend the proof on
 * its own: src/router/dpop/replay.ts.
 */
export function withProof<T extends object>(sql: SqlStorage, bucket: number, proof: DpopProofRecord | null | undefined, now: number, op: () => ShardResult<T>): ShardResult<T> {
  if (!proof) return op();
  const seen = firstRow<{ expires_at: number }>(sql.exec("SELECT expires_at FROM dpop_proofs WHERE bucket = ? AND jti_hash = ?", bucket, proof.jtiHash));
  if (seen && seen.expires_at > now) return fail("invalid_dpop_proof", "DPoP proof jti already used");
  const result = op();
  if (result.ok) sql.exec("INSERT OR REPLACE INTO dpop_proofs (bucket, jti_hash, expires_at) VALUES (?, ?, ?)", bucket, proof.jtiHash, proof.expiresAt);
  return result;
}
