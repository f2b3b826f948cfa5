// `clients create` flags for JWT assertions: the client's public keys (private_key_jwt,
// request objects) and the algorithms and rules it is held to (RFC 7523, RFC 9101).
import { readFileSync } from "node:fs";
import { UsageError } from "./args.ts";
import type { Options } from "./args.ts";

const ALGS = ["ES256", "RS256", "PS256", "EdDSA"];

export const KEY_OPTIONS = {
  jwks: { type: "string", placeholder: "JSON|@FILE", description: 'The client\'s public JWK Set, as JSON or @path/to/jwks.json (for private_key_jwt and signed request objects).' },
  "jwks-uri": { type: "string", placeholder: "URI", description: "Where the client publishes its public JWK Set (https); instead of --jwks." },
  "auth-signing-alg": { type: "string", placeholder: "ALG", description: "The one algorithm its client assertions may use: ES256, RS256, PS256 or EdDSA (default: any)." },
  "request-object-alg": { type: "string", placeholder: "ALG", description: "The one algorithm its request objects may use (default: any of the above)." },
  "require-signed-request-object": { type: "boolean", description: "Accept its authorization requests only as signed request objects (RFC 9101 §10.5)." },
} as const satisfies Options;

interface KeyValues {
  jwks?: string | undefined;
  "jwks-uri"?: string | undefined;
  "auth-signing-alg"?: string | undefined;
  "request-object-alg"?: string | undefined;
  "require-signed-request-object"?: boolean | undefined;
}

function jwksOf(raw: string): unknown {
  let text = raw;
  if (raw.startsWith("@")) {
    try {
      text = readFileSync(raw.slice(1), "utf8");
    } catch (error) {
      throw new UsageError(`--jwks ${raw}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError("--jwks must be a JSON JWK Set ({\"keys\": [...]}) or @file");
  }
}

/** The operator API members the key flags set; the server validates the keys themselves. */
export function keyFields(v: KeyValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (v.jwks !== undefined && v["jwks-uri"] !== undefined) throw new UsageError("give --jwks or --jwks-uri, not both");
  if (v.jwks !== undefined) body.jwks = jwksOf(v.jwks);
  if (v["jwks-uri"] !== undefined) body.jwks_uri = v["jwks-uri"];
  for (const [flag, member] of [["auth-signing-alg", "token_endpoint_auth_signing_alg"], ["request-object-alg", "request_object_signing_alg"]] as const) {
    const alg = v[flag];
    if (alg === undefined) continue;
    if (!ALGS.includes(alg)) throw new UsageError(`--${flag} must be one of ${ALGS.join(", ")}`);
    body[member] = alg;
  }
  if (v["require-signed-request-object"]) body.require_signed_request_object = true;
  return body;
}
