import type { Context } from "hono";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";
import { proofRefused, type AcceptedProof, type ProofSite } from "./proof";

/**
 * Replay (RFC 9449 §11.1) where no user's shard is part of the request: the
 * client_credentials and token-exchange grants and /par. A proof that comes with a
 * code, a refresh token or an access token is remembered in that user's shard, in the
 * transaction of the request (src/actors/user-shard/dpop.ts); these requests have no
 * such transaction, so the proof's jti is spent on its own, in the shard of the bucket
 * its key's thumbprint and jti hash to — one actor call, whose INSERT OR IGNORE lets
 * exactly one of any number of concurrent requests carrying the same proof through.
 * The same store as spent client assertions (`spent_assertions`), under a key of its own.
 */
export async function spendProofOnce(c: Context<AppEnv>, site: ProofSite, proof: AcceptedProof | null): Promise<void> {
  if (proof === null) return;
  const keyHash = await sha256(`dpop\n${proof.jkt}\n${proof.record.jtiHash}`);
  const bucket = bucketOf(keyHash);
  const spent = await callShard(c.env, c.var.config, bucket, (shard) => shard.spendAssertion({ bucket, keyHash, expiresAt: proof.record.expiresAt }));
  if (spent.ok) return;
  if (spent.error === "invalid_grant") throw proofRefused(site, "invalid_dpop_proof", "DPoP proof jti already used");
  throw shardFailure(spent, "change", "the DPoP proof check");
}
