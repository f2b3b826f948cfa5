import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { bucketOfArtifact } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import type { Config } from "../../config";

/**
 * The browser session cookie `s.<bucket>.<secret>`: HttpOnly, SameSite=Lax,
 * Secure (and the __Host- prefix) unless the issuer is a loopback http URL. Its
 * lifetime is the session's absolute lifetime; the shard enforces idle expiry.
 */
export function sessionCookieName(config: Config): string {
  return config.secureCookies ? "__Host-authshard_session" : "authshard_session";
}

export interface SessionRef {
  bucket: number;
  hash: string;
}

export async function readSessionCookie(c: Context, config: Config): Promise<SessionRef | null> {
  const value = getCookie(c, sessionCookieName(config));
  if (!value) return null;
  const bucket = bucketOfArtifact("s", value);
  if (bucket === null) return null;
  return { bucket, hash: await sha256(value) };
}

export function writeSessionCookie(c: Context, config: Config, value: string): void {
  setCookie(c, sessionCookieName(config), value, {
    path: "/",
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: "Lax",
    maxAge: config.sessionMaxTtlS,
  });
}
