import * as base64url from "jose/base64url";

/**
 * Pairwise subject identifiers (OIDC Core §8.1): each sector — the host of a
 * client's redirect URIs — sees its own `sub` for a user, so clients of different
 * sectors cannot correlate users by `sub` (§17.3). The value is
 * base64url(HMAC-SHA-256(key, sector ‖ "\n" ‖ local user id)): stable for one sector,
 * not invertible, and different for every key (rotating the key changes every
 * pairwise `sub` — see README). The newline cannot occur in a host, so no two
 * (sector, user) pairs hash the same input.
 */
export const SUBJECT_TYPES = ["public", "pairwise"] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

const utf8 = new TextEncoder();

/** The one host every redirect URI shares (§8.1), or null when they name several or none. */
export function sectorOf(redirectUris: readonly string[]): string | null {
  const hosts = new Set<string>();
  for (const uri of redirectUris) {
    let host: string;
    try {
      host = new URL(uri).host;
    } catch {
      return null;
    }
    if (host === "") return null;
    hosts.add(host.toLowerCase());
  }
  return hosts.size === 1 ? [...hosts][0]! : null;
}

/** Why a pairwise client cannot be registered with these redirect URIs, or null if it can. */
export function pairwiseRedirectProblem(redirectUris: readonly string[]): string | null {
  if (sectorOf(redirectUris) !== null) return null;
  return "a pairwise client's redirect_uris must all share one host, its sector identifier (OpenID Connect Core §8.1); sector_identifier_uri is not supported";
}

interface PairwiseKeys {
  hmac: CryptoKey;
  seal: CryptoKey;
}

// One import per salt per isolate: the keys are derived once, not per token.
const keysBySalt = new Map<string, Promise<PairwiseKeys>>();

async function deriveKeys(salt: string): Promise<PairwiseKeys> {
  const hmac = await crypto.subtle.importKey("raw", utf8.encode(salt), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  // A separate key for the user reference, so the two uses of the salt never share a key.
  const sealMaterial = await crypto.subtle.digest("SHA-256", utf8.encode(`authshard user reference\0${salt}`));
  const seal = await crypto.subtle.importKey("raw", sealMaterial, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { hmac, seal };
}

function keysFor(salt: string): Promise<PairwiseKeys> {
  let keys = keysBySalt.get(salt);
  if (!keys) {
    keys = deriveKeys(salt);
    keysBySalt.set(salt, keys);
  }
  return keys;
}

export async function pairwiseSubject(salt: string, sector: string, userId: string): Promise<string> {
  const { hmac } = await keysFor(salt);
  return base64url.encode(new Uint8Array(await crypto.subtle.sign("HMAC", hmac, utf8.encode(`${sector}\n${userId}`))));
}

/**
 * The local user id sealed (AES-256-GCM, random IV) for a pairwise ID token, so a
 * later id_token_hint still finds the user's shard (the pairwise `sub` cannot be
 * inverted) while the client learns nothing it could correlate: every token's
 * reference is different.
 */
export async function sealUserRef(salt: string, userId: string): Promise<string> {
  const { seal } = await keysFor(salt);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, seal, utf8.encode(userId)));
  return `${base64url.encode(iv)}.${base64url.encode(sealed)}`;
}

export async function openUserRef(salt: string, sealed: string): Promise<string | null> {
  const [iv, data] = sealed.split(".");
  if (!iv || !data || sealed.length > 200) return null;
  try {
    const { seal } = await keysFor(salt);
    return new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64url.decode(iv) }, seal, base64url.decode(data)));
  } catch {
    return null;
  }
}
