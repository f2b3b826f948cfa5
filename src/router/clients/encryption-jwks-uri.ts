import { publicJwksProblem, type PublicJwks } from "../../oauth/jwks";

/**
 * A client's JWK Set read from its `jwks_uri` (RFC 7591 §2), for encrypting to it, with a
 * small cache per isolate. It is read only for clients that encrypt and registered keys
 * by reference, at most once per FRESH_MS per isolate and client (a failure is
 * remembered for FAILURE_MS, so a client whose keys are down does not cost every
 * request a timeout). A key the client rotates is picked up within FRESH_MS.
 *
 * This is the encryption side's own reader until the shared resolver of a client's keys
 * (jwks / jwks_uri for JWT client authentication) takes its place behind encryptionKeyFor.
 */
export type FetchedJwks = { ok: true; jwks: PublicJwks } | { ok: false; why: string };

const FRESH_MS = 5 * 60_000;
const FAILURE_MS = 10_000;
const TIMEOUT_MS = 3_000;
const MAX_BYTES = 64 * 1024;
/** Bounds the memory an isolate spends on other parties' key sets. */
const MAX_ENTRIES = 100;

const cache = new Map<string, { result: FetchedJwks; expiresAt: number }>();

export async function jwksFromUri(uri: string): Promise<FetchedJwks> {
  const hit = cache.get(uri);
  if (hit && hit.expiresAt > Date.now()) return hit.result;
  const result = await fetchJwks(uri);
  cache.delete(uri);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(uri, { result, expiresAt: Date.now() + (result.ok ? FRESH_MS : FAILURE_MS) });
  return result;
}

/** Forgets every fetched key set (tests). */
export function forgetFetchedJwks(): void {
  cache.clear();
}

async function fetchJwks(uri: string): Promise<FetchedJwks> {
  let res: Response;
  try {
    // No redirects: the registered URI is the one trusted to name the client's keys.
    res = await fetch(uri, { headers: { Accept: "application/jwk-set+json, application/json" }, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    return { ok: false, why: `jwks_uri could not be fetched (${error instanceof Error && error.name === "TimeoutError" ? "timed out" : "network error"})` };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return { ok: false, why: `jwks_uri answered ${res.status}` };
  }
  const text = await boundedText(res);
  if (text === null) return { ok: false, why: `jwks_uri answered more than ${MAX_BYTES} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, why: "jwks_uri did not answer JSON" };
  }
  const problem = publicJwksProblem(parsed);
  return problem === null ? { ok: true, jwks: parsed as PublicJwks } : { ok: false, why: `jwks_uri: ${problem}` };
}

/** The body as text, or null past MAX_BYTES (read no further than that). */
async function boundedText(res: Response): Promise<string | null> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}
