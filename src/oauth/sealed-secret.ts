/**
 * Client secrets kept reversibly, for client_secret_jwt only (RFC 7523 §2.2: the client
 * signs with HMAC keyed by the secret itself, so a hash is not enough to verify). Sealed
 * with AES-256-GCM under CLIENT_SECRET_KEY, a Worker secret that never reaches D1, and
 * bound to the client id as additional data, so a sealed value copied to another
 * client's row does not open. Format: `v1.<iv>.<ciphertext>` in base64url.
 */
const te = new TextEncoder();
const td = new TextDecoder();

function b64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unb64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const keys = new Map<string, Promise<CryptoKey>>();

function aesKey(keyB64: string): Promise<CryptoKey> {
  let key = keys.get(keyB64);
  if (!key) {
    key = crypto.subtle.importKey("raw", unb64url(keyB64), "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(keyB64, key);
  }
  return key;
}

export async function sealSecret(keyB64: string, clientId: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: te.encode(clientId) }, await aesKey(keyB64), te.encode(secret));
  return `v1.${b64url(iv)}.${b64url(new Uint8Array(sealed))}`;
}

/** The secret, or null when `sealed` is malformed, was sealed for another client, or under another key. */
export async function openSecret(keyB64: string, clientId: string, sealed: string): Promise<string | null> {
  const [version, iv, data] = sealed.split(".");
  if (version !== "v1" || !iv || !data) return null;
  try {
    const opened = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64url(iv), additionalData: te.encode(clientId) }, await aesKey(keyB64), unb64url(data));
    return td.decode(opened);
  } catch {
    return null;
  }
}
