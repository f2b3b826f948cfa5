import { ASSERTION_ALGS, type AssertionAlg } from "../../oauth/assertion-algs";
import { invalidClientMetadata } from "./errors";
import { optionalBoolean, optionalChoice, type Input } from "./fields";

/**
 * The JWT-assertion members of a registration (OIDC Dynamic Client Registration 1.0
 * §2 token_endpoint_auth_signing_alg and request_object_signing_alg, RFC 9101 §10.5
 * require_signed_request_object), and the rule of RFC 7591 §2 that private_key_jwt
 * needs the client's keys (jwks or jwks_uri) to check its assertions against.
 */
export interface AssertionMetadata {
  token_endpoint_auth_signing_alg: AssertionAlg | null;
  request_object_signing_alg: AssertionAlg | null;
  require_signed_request_object: boolean;
}

export function assertionMetadata(input: Input, method: string, hasKeys: boolean): AssertionMetadata {
  if (method === "private_key_jwt" && !hasKeys) throw invalidClientMetadata("jwks", "private_key_jwt needs the client's public keys: register jwks or jwks_uri");
  return {
    token_endpoint_auth_signing_alg: optionalChoice(input, "token_endpoint_auth_signing_alg", ASSERTION_ALGS) ?? null,
    request_object_signing_alg: optionalChoice(input, "request_object_signing_alg", ASSERTION_ALGS) ?? null,
    require_signed_request_object: optionalBoolean(input, "require_signed_request_object") ?? false,
  };
}

/** Only the secret methods get a generated secret; private_key_jwt and none prove themselves otherwise. */
export function needsSecret(method: string): boolean {
  return method === "client_secret_basic" || method === "client_secret_post";
}
