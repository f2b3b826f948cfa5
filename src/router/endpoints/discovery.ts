import { Hono } from "hono";
import type { Config } from "../config";
import type { AppEnv } from "../types";

export const SCOPES_SUPPORTED = ["openid", "profile", "email", "offline_access"] as const;

/**
 * OpenID Provider metadata (OIDC Discovery 1.0 §3), built from config only: the
 * issuer comes from ISSUER, never from the request's Host header.
 */
export function providerMetadata(config: Config): Record<string, unknown> {
  return {
    issuer: config.issuer,
    scopes_supported: [...SCOPES_SUPPORTED],
    response_types_supported: ["code"],
    response_modes_supported: ["query", "form_post"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    subject_types_supported: ["public"],
    code_challenge_methods_supported: ["S256"],
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "given_name", "family_name", "email", "email_verified"],
  };
}

export const discovery = new Hono<AppEnv>().get("/.well-known/openid-configuration", (c) => {
  c.header("Cache-Control", "public, max-age=300");
  c.header("Access-Control-Allow-Origin", "*");
  return c.json(providerMetadata(c.var.config));
});
