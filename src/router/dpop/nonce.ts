import * as base64url from "jose/base64url";

/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9), stateless: a nonce is a time step
 * and an HMAC of it under DPOP_NONCE_SECRET, so every isolate issues and accepts the
 * same nonces without storage. A nonce is good for the step it was issued in and the
 * next one: between STEP_S and 2 × STEP_S. A nonce proves only that the proof was
 * made after the client talked to us recently (§11.2: pre-generated proofs); replay
 * within that time is the jti check's job.
 */
export const NONCE_STEP_S = 300;

const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

async function nonceFor(secret: string, step: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await keyFor(secret), new TextEncoder().encode(`dpop-nonce.${step}`));
  return `${step}.${base64url.encode(new Uint8Array(mac).slice(0, 18))}`;
}

const stepOf = (nowMs: number) => Math.floor(nowMs / 1000 / NONCE_STEP_S);

/** The nonce to hand out now (in `DPoP-Nonce`). */
export function currentNonce(secret: string, nowMs = Date.now()): Promise<string> {
  return nonceFor(secret, stepOf(nowMs));
}

/** Whether `nonce` is the current step's or the previous step's. */
export async function isFreshNonce(secret: string, nonce: string | undefined, nowMs = Date.now()): Promise<boolean> {
  if (nonce === undefined || nonce.length > 64) return false;
  const step = stepOf(nowMs);
  for (const candidate of [step, step - 1]) {
    if (nonce === (await nonceFor(secret, candidate))) return true;
  }
  return false;
}
