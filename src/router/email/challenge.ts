import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Config } from "../../config";
import type { Env } from "../../env";
import type { EmailJob } from "../../email/message";
import { newId } from "../../oauth/artifacts";
import { randomToken, sha256 } from "../../oauth/secrets";
import { isBucket } from "../../shard/bucket";

/**
 * The secrets of an emailed challenge. The browser that asks gets a handle
 * `e.<bucket>.<random>` in an HttpOnly cookie: its hash keys the challenge, so the code
 * and the link work only in that browser. The link carries `m.<bucket>.<random>`; the
 * code is 6 digits, hashed with the handle (a code alone names nothing).
 */
const HANDLE = /^e\.(\d{1,4})\.[A-Za-z0-9_-]{43}$/;
const LINK = /^m\.(\d{1,4})\.[A-Za-z0-9_-]{43}$/;
export const CODE = /^\d{6}$/;

export function emailCookieName(config: Config): string {
  return config.secureCookies ? "__Host-authshard_email" : "authshard_email";
}

export interface Challenge {
  bucket: number;
  handle: string;
  code: string;
  link: string;
}

export function newChallenge(bucket: number): Challenge {
  const digits = crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000;
  return { bucket, handle: `e.${bucket}.${randomToken()}`, code: String(digits).padStart(6, "0"), link: `m.${bucket}.${randomToken()}` };
}

export function codeHashOf(handle: string, code: string): Promise<string> {
  return sha256(`${handle}:${code}`);
}

function bucketIn(pattern: RegExp, value: string | undefined): number | null {
  const match = value ? pattern.exec(value) : null;
  const bucket = match ? Number(match[1]) : NaN;
  return isBucket(bucket) ? bucket : null;
}

export const bucketOfLink = (link: string | undefined) => bucketIn(LINK, link);

/** The asking browser's handle and its bucket, or null. */
export function readHandle(c: Context, config: Config): { handle: string; bucket: number } | null {
  const handle = getCookie(c, emailCookieName(config));
  const bucket = bucketIn(HANDLE, handle);
  return bucket === null ? null : { handle: handle!, bucket };
}

export function writeHandle(c: Context, config: Config, handle: string): void {
  setCookie(c, emailCookieName(config), handle, { path: "/", httpOnly: true, secure: config.secureCookies, sameSite: "Lax", maxAge: config.email.codeTtlS });
}

/** Queued, not sent: a slow mail API never slows the page (src/email/deliver.ts sends it). */
export async function queueEmail(env: Env, to: string, subject: string, text: string): Promise<void> {
  const job: EmailJob = { v: 1, id: newId(), to, subject, text };
  await env.EMAIL_QUEUE.send(job, { contentType: "json" });
}
