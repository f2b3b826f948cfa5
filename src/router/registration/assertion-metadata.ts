import { ASSERTION_ALGS, type AssertionAlg } from "../../oauth/assertion-algs";
import type { Config } from "../../config";
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
  if (method === "client_secret_jwt" && input.token_endpoint_auth_signing_alg !== undefined && input.token_endpoint_auth_signing_alg !== "HS256") {
    throw invalidClientMetadata("token_endpoint_auth_signing_alg", "client_secret_jwt signs with HS256");
  }
  if (method === "private_key_jwt" && !hasKeys) throw invalidClientMetadata("jwks", "private_key_jwt needs the client's public keys: register jwks or jwks_uri");
  return {
    token_endpoint_auth_signing_alg: method === "client_secret_jwt" ? null : (optionalChoice(input, "token_endpoint_auth_signing_alg", ASSERTION_ALGS) ?? null),
    request_object_signing_alg: optionalChoice(input, "request_object_signing_alg", ASSERTION_ALGS) ?? null,
    require_signed_request_object: optionalBoolean(input, "require_signed_request_object") ?? false,
  };
}

/** Only the secret methods get a generated secret; private_key_jwt and none prove themselves otherwise. */
export function needsSecret(method: string): boolean {
  return method === "client_secret_basic" || method === "client_secret_post" || method === "client_secret_jwt";
}

/** client_secret_jwt needs the secret sealed at rest, under a key only a deployment with CLIENT_SECRET_KEY has. */
export function checkSecretJwtAvailable(method: string, config: Config): void {
  if (method === "client_secret_jwt" && config.clientSecretKey === null) {
    throw invalidClientMetadata("token_endpoint_auth_method", "client_secret_jwt is not enabled on this provider (no CLIENT_SECRET_KEY); use private_key_jwt, client_secret_basic or client_secret_post");
  }
}
