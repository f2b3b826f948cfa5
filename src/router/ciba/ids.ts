import * as base64url from "jose/base64url";
import { sha256 } from "../../oauth/secrets";

/**
 * CIBA identifiers (CIBA Core §7.3). A request has a random `request_id` (its row's key,
 * the approval link's and the notification jobs' name for it) and an `auth_req_id`
 * `b.<bucket>.<mac>` for the client, where mac = HMAC-SHA-256(CIBA_SECRET, request id).
 * The shard stores only the SHA-256 of the auth_req_id, yet the notification consumer can
 * name it again in a ping or push (§10.2, §10.3) without anything secret at rest: the key
 * lives only in the worker's configuration.
 */
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

export async function authReqIdOf(secret: string, bucket: number, requestId: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`auth_req_id\n${requestId}`));
  return `b.${bucket}.${base64url.encode(new Uint8Array(mac))}`;
}

/** The grant an approval writes, named from the auth_req_id so a poll can mint its refresh token before its one shard call. */
export async function grantIdOf(authReqId: string): Promise<string> {
  return (await sha256(`grant\n${authReqId}`)).slice(0, 22);
}

/** The approval page's link for a request (the page checks that the signed-in user is the one it names). */
export function approvalLink(issuer: string, bucket: number, requestId: string): string {
  return `${issuer}/ciba?request=${bucket}.${requestId}`;
}

/** `<bucket>.<request id>` from the approval link, or null. */
export function parseRequestRef(raw: string | undefined): { bucket: number; requestId: string } | null {
  const match = /^(\d{1,4})\.([A-Za-z0-9_-]{22})$/.exec(raw ?? "");
  if (!match) return null;
  const bucket = Number(match[1]);
  return bucket < 4096 ? { bucket, requestId: match[2]! } : null;
}
