import type { Context } from "hono";
import { invalidRequest, OAuthError } from "../errors";

/** Bodies of the protocol endpoints are small; anything bigger is refused before parsing. */
export const MAX_FORM_BYTES = 16 * 1024;
const MAX_VALUE_LENGTH = 4096;
const utf8 = new TextDecoder();

/** Request parameters with each name present at most once (RFC 6749 §3.1, §3.2). */
export type Params = ReadonlyMap<string, string>;

function collect(entries: Iterable<[string, string]>): Params {
  const params = new Map<string, string>();
  for (const [name, value] of entries) {
    if (params.has(name)) throw invalidRequest(`parameter ${name} is repeated`);
    if (value.length > MAX_VALUE_LENGTH) throw invalidRequest(`parameter ${name} is too long`);
    // RFC 6749 §3.1: parameters sent without a value are treated as omitted.
    if (value !== "") params.set(name, value);
  }
  return params;
}

/** The value of a parameter the request must carry; invalid_request naming it otherwise. */
export function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw invalidRequest(`${name} is missing`);
  return value;
}

export function queryParams(c: Context): Params {
  return collect(new URL(c.req.url).searchParams);
}

/** An application/x-www-form-urlencoded body, size-limited, with duplicate detection. */
export async function formParams(c: Context): Promise<Params> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", 400, "the body must be application/x-www-form-urlencoded");
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_FORM_BYTES) throw new OAuthError("invalid_request", 413, "request body too large");
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length > MAX_FORM_BYTES) throw new OAuthError("invalid_request", 413, "request body too large");
  const text = utf8.decode(bytes);
  let parsed: URLSearchParams;
  try {
    parsed = new URLSearchParams(text);
  } catch {
    throw invalidRequest("the body is not valid form encoding");
  }
  return collect(parsed);
}
