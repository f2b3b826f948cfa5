import * as base64url from "jose/base64url";

/**
 * The grace window must hand back *the same* successor refresh token, yet the
 * shard stores only hashes. So the successor is stored encrypted (AES-256-GCM)
 * under a key derived from the token it replaced: only a holder of that old token
 * can read it, and a copy of the database alone reveals no usable token.
 */
const utf8 = new TextEncoder();

async function keyFrom(token: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest("SHA-256", utf8.encode(`authshard refresh successor\0${token}`));
  return crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function sealSuccessor(presented: string, successor: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFrom(presented), utf8.encode(successor)));
  return `${base64url.encode(iv)}.${base64url.encode(sealed)}`;
}

export async function openSuccessor(presented: string, sealed: string): Promise<string | null> {
  const [iv, data] = sealed.split(".");
  if (!iv || !data) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64url.decode(iv) }, await keyFrom(presented), base64url.decode(data));
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
