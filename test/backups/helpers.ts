import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { PER_USER_TABLES } from "../../schema/do/user-shard/registry";
import type { BackupManifest } from "../../src/shard/backup-manifest";
import { bucketOf } from "../../src/shard/bucket";
import { stubFor } from "../../src/shard/stub";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import type { TestBrowser } from "../helpers/browser";

export const HOLDER = "backup-operator";

export interface App {
  clientId: string;
  auth: Record<string, string>;
}

export async function confidentialApp(): Promise<App> {
  const registered = await registerClient("confidential");
  return { clientId: registered.clientId, auth: basic(registered.clientId, registered.secret!) };
}

export interface SignedIn {
  user: { id: string; email: string; password: string };
  bucket: number;
  browser: TestBrowser;
  access: string;
  refresh: string;
}

/** A user with what a signed-in user has: a session, a consent, a grant with a refresh family rotated once. */
export async function signedInUser(app: App): Promise<SignedIn> {
  const user = await createUser();
  const issued = await issueCode(app.clientId, { user });
  const first = await json<{ refresh_token: string }>(await tokenRequest(redeemFields(issued), app.auth));
  const rotated = await json<{ access_token: string; refresh_token: string }>(await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token }, app.auth));
  expect(rotated.refresh_token).toMatch(/^r\./);
  return { user, bucket: bucketOf(user.id), browser: issued.browser, access: rotated.access_token, refresh: rotated.refresh_token };
}

/** A whole backup as the CLI runs it: start, every listed bucket, finish; then the manifest. */
export async function runBackup(): Promise<{ id: string; listed: number[]; manifest: BackupManifest }> {
  const started = await admin("POST", "/backups");
  expect(started.status).toBe(201);
  const { backup_id: id, buckets } = await json<{ backup_id: string; buckets: number[] }>(started);
  for (const bucket of buckets) expect((await admin("POST", `/backups/${id}/buckets/${bucket}`)).status).toBe(200);
  expect((await admin("POST", `/backups/${id}/finish`)).status).toBe(200);
  const manifest = await json<BackupManifest>(await admin("GET", `/backups/${id}`));
  return { id, listed: buckets, manifest };
}

export function restore(id: string, bucket: number, extra: Record<string, unknown> = {}): Promise<Response> {
  return admin("POST", `/backups/${id}/restore`, { holder: HOLDER, bucket, ...extra });
}

/** What losing a bucket looks like: its rows gone from the shard's storage (the shard still owns it). */
export async function loseBucket(shard: string, bucket: number): Promise<void> {
  await runInDurableObject(stubFor(env, shard), (_instance, state) => {
    for (const { name } of PER_USER_TABLES) state.storage.sql.exec(`DELETE FROM ${name} WHERE bucket = ?`, bucket);
  });
}

export function refresh(app: App, token: string): Promise<Response> {
  return tokenRequest({ grant_type: "refresh_token", refresh_token: token }, app.auth);
}

/** The stored bytes of an object in the backups bucket. */
export async function objectBytes(key: string): Promise<Uint8Array> {
  const object = await env.BACKUPS.get(key);
  if (!object) throw new Error(`no object ${key}`);
  return new Uint8Array(await object.arrayBuffer());
}

export async function gunzipLines(bytes: Uint8Array): Promise<unknown[]> {
  const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  return text.trimEnd().split("\n").map((line) => JSON.parse(line));
}

export async function sha256(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
