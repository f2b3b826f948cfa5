import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import * as base64url from "jose/base64url";
import * as z from "zod/mini";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { Env } from "../../env";
import type { Config } from "../../config";
import { sha256 } from "../../oauth/secrets";
import { signJwt, verifyJwt } from "../keys/cache";

/**
 * The state of a WebAuthn ceremony between its options and its answer. Nothing is stored:
 * the challenge travels in an HttpOnly cookie as a short-lived JWT signed by the provider
 * (bound to this browser, like the interaction), naming what it is for and, when known,
 * whose it is. A discoverable sign-in has no user yet (DESIGN.md "State before the user
 * is known"): the answer's user handle names the user, hence the bucket, and the shard
 * spends the challenge there, so it is single use without a lookup.
 */
const TYP = "authshard-passkey-challenge+jwt";

export type CeremonyPurpose = "sign_in" | "register";

export interface OpenedChallenge {
  /** base64url, as clientDataJSON.challenge carries it. */
  challenge: string;
  purpose: CeremonyPurpose;
  /** The user the ceremony was started for: the account page's user, or the email typed first; null for a discoverable sign-in. */
  userId: string | null;
  /** What the shard spends: the challenge's hash and its expiry (ms). */
  spent: { hash: string; expiresAt: number };
}

export function challengeCookieName(config: Config): string {
  return config.secureCookies ? "__Host-authshard_passkey" : "authshard_passkey";
}

/** A fresh challenge (32 random bytes, WebAuthn §13.4.3), set in this browser's cookie; the bytes go into the options. */
export async function startCeremony(c: Context, env: Env, config: Config, purpose: CeremonyPurpose, userId: string | null): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const now = Math.floor(Date.now() / 1000);
  const ttl = config.passkeys.challengeTtlS;
  const token = await signJwt(env, config, "ES256", { ch: base64url.encode(bytes), pur: purpose, uid: userId, iss: config.issuer, aud: config.issuer, iat: now, exp: now + ttl }, { typ: TYP });
  setCookie(c, challengeCookieName(config), token, { path: "/", httpOnly: true, secure: config.secureCookies, sameSite: "Strict", maxAge: ttl });
  return bytes;
}

/** The challenge this browser holds for `purpose`, taken (the cookie is cleared); null if none, expired or forged. */
export async function takeCeremony(c: Context, env: Env, config: Config, purpose: CeremonyPurpose): Promise<OpenedChallenge | null> {
  const token = getCookie(c, challengeCookieName(config));
  deleteCookie(c, challengeCookieName(config), { path: "/", secure: config.secureCookies });
  if (!token || token.length > 4096) return null;
  const verified = await verifyJwt(env, config, token, { typ: TYP, audience: config.issuer });
  if (!verified.ok) return null;
  const claims = verified.payload as { ch?: unknown; pur?: unknown; uid?: unknown; exp?: number };
  if (typeof claims.ch !== "string" || claims.pur !== purpose || (claims.uid !== null && typeof claims.uid !== "string")) return null;
  return { challenge: claims.ch, purpose, userId: claims.uid, spent: { hash: await sha256(`passkey:${claims.ch}`), expiresAt: (claims.exp ?? 0) * 1000 } };
}

/** The WebAuthn user handle (user.id, at most 64 bytes, §5.4.3) is the user id's UTF-8: the answer's userHandle routes to the bucket. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId) as Uint8Array<ArrayBuffer>;
}

export function userIdOfHandle(handle: string | undefined): string | null {
  if (!handle) return null;
  try {
    const id = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64url.decode(handle));
    return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

// The answers' JSON (WebAuthn §5.1 toJSON()), checked for shape before any cryptography.
const b64 = (max: number) => z.string().check(z.regex(/^[A-Za-z0-9_-]+$/), z.maxLength(max));
const common = { id: b64(1366), rawId: b64(1366), type: z.literal("public-key"), clientExtensionResults: z.optional(z.record(z.string(), z.unknown())), authenticatorAttachment: z.optional(z.enum(["platform", "cross-platform"])) };
const assertionSchema = z.object({
  ...common,
  response: z.object({ clientDataJSON: b64(4096), authenticatorData: b64(4096), signature: b64(1024), userHandle: z.optional(z.nullable(b64(128))) }),
});
const attestationSchema = z.object({
  ...common,
  response: z.object({ clientDataJSON: b64(4096), attestationObject: b64(8192), transports: z.optional(z.array(z.string().check(z.maxLength(32))).check(z.maxLength(8))) }),
});

function parseJson(raw: string | undefined): unknown {
  if (!raw || raw.length > 12_000) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function parseAssertion(raw: string | undefined): AuthenticationResponseJSON | null {
  const parsed = assertionSchema.safeParse(parseJson(raw));
  if (!parsed.success) return null;
  const { userHandle, ...response } = parsed.data.response;
  return { ...parsed.data, response: userHandle ? { ...response, userHandle } : response, clientExtensionResults: parsed.data.clientExtensionResults ?? {} } as AuthenticationResponseJSON;
}

export function parseAttestation(raw: string | undefined): RegistrationResponseJSON | null {
  const parsed = attestationSchema.safeParse(parseJson(raw));
  if (!parsed.success) return null;
  return { ...parsed.data, clientExtensionResults: parsed.data.clientExtensionResults ?? {} } as RegistrationResponseJSON;
}
