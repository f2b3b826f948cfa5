import { env, runInDurableObject } from "cloudflare:test";
import * as oauth from "oauth4webapi";
import { expect } from "vitest";
import { sha256 } from "../../src/oauth/secrets";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { basic } from "../clients/helpers";
import { call, json } from "../helpers/http";
import { REDIRECT_URI, registerClient, rp } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

export interface ParClient {
  clientId: string;
  secret: string | undefined;
  auth: oauth.ClientAuth;
}

export async function parClient(type: "confidential" | "public", extra: Record<string, unknown> = {}): Promise<ParClient> {
  const registered = await registerClient(type, extra);
  return { ...registered, auth: registered.secret ? oauth.ClientSecretBasic(registered.secret) : oauth.None() };
}

/** A valid code-flow request with PKCE; `overrides` replace or add parameters. */
export async function requestParams(client: ParClient, overrides: Record<string, string> = {}): Promise<{ params: Record<string, string>; verifier: string }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const params = {
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: "openid profile",
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...overrides,
  };
  return { params, verifier };
}

/** POST /par by hand: Basic for a confidential client, client_id alone for a public one. */
export function push(client: ParClient, fields: Record<string, string>, send = call): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (client.secret) headers.Authorization = basic(client.clientId, client.secret);
  const body = new URLSearchParams(client.secret ? fields : { ...fields, client_id: client.clientId });
  return send("/par", { method: "POST", headers, body: body.toString() });
}

export async function pushed(client: ParClient, fields: Record<string, string>, send = call): Promise<{ request_uri: string; expires_in: number }> {
  const res = await push(client, fields, send);
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

/** The pushed request's row, in the shard of the bucket its request_uri carries. */
export async function pushedRow(requestUri: string): Promise<{ shard: string; hash: string; row: Record<string, SqlStorageValue> | undefined }> {
  const reference = requestUri.slice("urn:ietf:params:oauth:request_uri:".length);
  const shard = shardOf(await currentDirectoryMap(), Number(reference.split(".")[1]));
  const hash = await sha256(reference);
  const row = await runInDurableObject(stubFor(env, shard), (_i, state) =>
    state.storage.sql.exec("SELECT * FROM pushed_requests WHERE request_hash = ?", hash).toArray()[0] as Record<string, SqlStorageValue> | undefined,
  );
  return { shard, hash, row };
}

/** Rewrites a pushed request's row, as time passing would. */
export async function editPushedRow(requestUri: string, set: string, ...bindings: SqlStorageValue[]): Promise<void> {
  const { shard, hash } = await pushedRow(requestUri);
  await runInDurableObject(stubFor(env, shard), (_i, state) => {
    state.storage.sql.exec(`UPDATE pushed_requests SET ${set} WHERE request_hash = ?`, ...bindings, hash);
  });
}

/** How many pushed requests all shards hold. */
export async function pushedCount(): Promise<number> {
  const map = await currentDirectoryMap();
  let n = 0;
  for (const shard of new Set(map.shards)) {
    n += await runInDurableObject(stubFor(env, shard), (_i, state) => Number(state.storage.sql.exec("SELECT count(*) AS n FROM pushed_requests").one().n));
  }
  return n;
}

export { rp };
