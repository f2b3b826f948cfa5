import type { Env } from "../../env";
import type { Config } from "../../config";
import type { SecondFactorProof } from "../../actors/user-shard/api";
import { looksLikeTotp, openTotpSecret, recoveryCodeHash } from "../../oauth/totp";
import { callShard } from "../shards/call";

/** Longer than any code or recovery code: refused without a shard call. */
export const MAX_CODE_LENGTH = 64;

/**
 * What the person typed, turned into a proof for the shard. A 6-digit code needs the
 * secret (one shard call to read it sealed, opened here: WebCrypto is async, the shard's
 * transaction is not); anything else is taken as a recovery code and only hashed.
 */
export async function proofFor(env: Env, config: Config, bucket: number, userId: string, typed: string, sealedSecret?: string | null): Promise<SecondFactorProof> {
  const code = typed.replace(/\s/g, "");
  if (!looksLikeTotp(code)) return { kind: "recovery", codeHash: await recoveryCodeHash(code) };
  let sealed = sealedSecret;
  if (sealed === undefined) {
    const challenge = await callShard(env, config, bucket, (shard) => shard.secondFactorChallenge(bucket, userId));
    // A user gone since the password step: no code can match, and the completion says login_required.
    sealed = challenge.ok ? challenge.sealedSecret : null;
  }
  const secret = sealed && config.mfa.secretKey ? await openTotpSecret(config.mfa.secretKey, userId, sealed) : null;
  if (!secret) return { kind: "totp", step: null };
  // The TOTP library loads with the first code checked (../lazy.ts).
  const { matchingStep } = await import("../../oauth/totp-codes");
  return { kind: "totp", step: matchingStep(secret, code, Date.now()) };
}
