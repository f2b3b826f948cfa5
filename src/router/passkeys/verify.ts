import { verifyAuthenticationResponse, verifyRegistrationResponse, type AuthenticationResponseJSON, type AuthenticatorTransport, type RegistrationResponseJSON } from "@simplewebauthn/server";
import * as base64url from "jose/base64url";
import type { AssertionOutcome, NewPasskey } from "../../actors/user-shard/api";
import type { Config } from "../../config";

/**
 * The ceremonies' checks (WebAuthn §7.1 registration, §7.2 authentication), by
 * @simplewebauthn/server: challenge, origin, RP ID hash, flags, signature. What the
 * library refuses before the signature says nothing about the key's owner and changes no
 * state; a signature that does not verify is a failed attempt the shard counts.
 */

/** Why an answer was refused before its signature was looked at, for the page's message. */
export type Refusal = "origin" | "rp_id" | "challenge" | "user_verification" | "malformed";

export const REFUSALS: Record<Refusal, string> = {
  origin: "This passkey answer came from another website. Sign in on this site's own page.",
  rp_id: "This passkey belongs to another website.",
  challenge: "This passkey answer does not belong to this sign-in. Try again.",
  user_verification: "Your device did not verify you (PIN, fingerprint or face). Try again and confirm it is you.",
  malformed: "The passkey answer was not understood. Try again.",
};

function refusalOf(error: unknown): Refusal {
  const message = error instanceof Error ? error.message : "";
  if (/origin/i.test(message)) return "origin";
  if (/RP ID/i.test(message)) return "rp_id";
  if (/challenge/i.test(message)) return "challenge";
  if (/user verification|not present/i.test(message)) return "user_verification";
  return "malformed";
}

export interface StoredKey {
  credentialId: string;
  publicKey: string;
  transports: string[];
}

/**
 * An assertion: `verified` null when the signature did not verify. The stored counter is not
 * given to the library: the shard compares it in the same transaction that stores the new one,
 * so two racing answers cannot both pass.
 */
export async function checkAssertion(config: Config, response: AuthenticationResponseJSON, challenge: string, key: StoredKey): Promise<{ verified: AssertionOutcome | null } | { refused: Refusal }> {
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...config.passkeys.origins],
      expectedRPID: config.passkeys.rpId,
      credential: { id: key.credentialId, publicKey: base64url.decode(key.publicKey) as Uint8Array<ArrayBuffer>, counter: 0, transports: key.transports as AuthenticatorTransport[] },
      requireUserVerification: true,
    });
    if (!result.verified) return { verified: null };
    const info = result.authenticationInfo;
    return { verified: { newCounter: info.newCounter, userVerified: info.userVerified, backedUp: info.credentialBackedUp, deviceType: info.credentialDeviceType } };
  } catch (error) {
    // A signature that is not even well-formed is still a wrong signature.
    if (error instanceof Error && /signature/i.test(error.message)) return { verified: null };
    return { refused: refusalOf(error) };
  }
}

/** A registration with `none` attestation (the provider does not restrict authenticator makes): the new key, or why not. */
export async function checkAttestation(config: Config, response: RegistrationResponseJSON, challenge: string, name: string): Promise<{ passkey: NewPasskey } | { refused: Refusal }> {
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...config.passkeys.origins],
      expectedRPID: config.passkeys.rpId,
      requireUserVerification: true,
      // ES256 and RS256 (WebAuthn §5.8.5): what platform authenticators and security keys make.
      supportedAlgorithmIDs: [-7, -257],
    });
    if (!result.verified) return { refused: "malformed" };
    const info = result.registrationInfo;
    return {
      passkey: {
        credentialId: info.credential.id, publicKey: base64url.encode(info.credential.publicKey), counter: info.credential.counter,
        transports: (response.response.transports ?? []).slice(0, 8), deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp, name,
      },
    };
  } catch (error) {
    return { refused: refusalOf(error) };
  }
}
