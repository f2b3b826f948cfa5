import { fapi2Problem, SECURITY_PROFILES } from "../../clients/fapi";
import * as z from "zod/mini";
import { CIBA, DEVICE_CODE, JWT_BEARER, TOKEN_EXCHANGE } from "../../../oauth/grant-types";
import { cibaSettingsProblem, DELIVERY_MODES } from "../../../oauth/ciba";
import { publicJwksProblem } from "../../../oauth/jwks";
import { parseScope } from "../../../oauth/scopes";
import { SIGNING_ALGS } from "../../../oauth/signing-alg";
import { pairwiseRedirectProblem, SUBJECT_TYPES } from "../../../oauth/pairwise";
import { RESPONSE_TYPES } from "../../../oauth/response-types";
import { ASSERTION_ALGS } from "../../../oauth/assertion-algs";
import { frontchannelOriginProblem, httpsUriProblem, logoutUriProblem } from "../../clients/uri-rules";
import { ENCRYPTION_ALGS, ENCRYPTION_ENCS } from "../../../oauth/encryption-alg";
import { protectionProblem, type ProtectionMetadata } from "../../clients/response-protection";
import { AUTH_METHODS, CLIENT_ID, type AuthMethod } from "../../clients/auth-methods";

/**
 * What an operator may register. Redirect URIs are absolute, without fragment
 * (RFC 6749 §3.1.2), https — or http only on loopback and private-use schemes for
 * native apps (RFC 8252 §7) — and are later matched exactly.
 */
export const GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials", TOKEN_EXCHANGE, DEVICE_CODE, CIBA, JWT_BEARER] as const;
const AUDIENCE = /^[\x21-\x7e]{1,512}$/;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function redirectUriProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URI";
  }
  if (url.hash || raw.includes("#")) return "must not contain a fragment";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") return LOOPBACK_HOSTS.has(url.hostname) ? null : "http is allowed only for loopback hosts; use https";
  if (["javascript:", "data:", "file:", "vbscript:", "blob:"].includes(url.protocol)) return `scheme ${url.protocol} is not allowed`;
  return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol) ? null : "custom schemes must be reverse-domain (e.g. com.example.app:/callback)";
}

/** A secret needs a method that sends it, and a public client has none to send. */
function authMethodProblem(type: "confidential" | "public", method: AuthMethod | undefined): string | null {
  if (type === "public" && method !== undefined && method !== "none") {
    return 'public clients use "none" (they prove themselves with PKCE S256 instead of a secret)';
  }
  if (type === "confidential" && method === "none") {
    return 'confidential clients use "client_secret_basic" (the default), "client_secret_post" or "private_key_jwt"';
  }
  return null;
}

const redirectUri = z.string().check(
  z.maxLength(2000),
  z.superRefine((value, ctx) => {
    const problem = redirectUriProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  }),
);

/** A string that `problem` accepts. */
const uriBy = (problem: (raw: string) => string | null) =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const why = problem(value);
      if (why) ctx.addIssue({ code: "custom", message: why, input: value });
    }),
  );

const publicJwks = z.record(z.string(), z.unknown()).check(
  z.superRefine((value, ctx) => {
    const why = publicJwksProblem(value);
    if (why) ctx.addIssue({ code: "custom", message: why, input: value });
  }),
);

export const clientBody = z
  .strictObject({
    client_name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    client_type: z.enum(["confidential", "public"]),
    client_secret: z.optional(z.string().check(z.minLength(8, "must be at least 8 characters"), z.maxLength(512))),
    redirect_uris: z.array(redirectUri).check(z.minLength(1), z.maxLength(20)),
    post_logout_redirect_uris: z._default(z.array(redirectUri).check(z.maxLength(20)), []),
    token_endpoint_auth_method: z.optional(z.enum(AUTH_METHODS)),
    grant_types: z._default(z.array(z.enum(GRANT_TYPES)).check(z.minLength(1)), ["authorization_code"]),
    scope: z._default(
      z.string().check(
        z.maxLength(1000),
        z.refine((s) => parseScope(s) !== null, "must be space-separated scope tokens (RFC 6749 §3.3)"),
      ),
      "openid",
    ),
    id_token_signed_response_alg: z._default(z.enum(SIGNING_ALGS), "ES256"),
    offline_survives_logout: z._default(z.boolean(), false),
    refresh_grace_s: z._default(z.nullable(z.int().check(z.minimum(0), z.maximum(300))), null),
    token_exchange_audiences: z._default(z.array(z.string().check(z.regex(AUDIENCE, "must be 1-512 visible ASCII characters"))).check(z.maxLength(50)), []),
    backchannel_logout_uri: z._default(z.nullable(uriBy(logoutUriProblem)), null),
    backchannel_logout_session_required: z._default(z.boolean(), false),
    frontchannel_logout_uri: z._default(z.nullable(uriBy(logoutUriProblem)), null),
    frontchannel_logout_session_required: z._default(z.boolean(), false),
    jwks: z._default(z.nullable(publicJwks), null),
    jwks_uri: z._default(z.nullable(uriBy(httpsUriProblem)), null),
    // DPoP (RFC 9449 §5.2): /token requires a DPoP proof from this client.
    dpop_bound_access_tokens: z._default(z.boolean(), false),
    // OIDC Core §8.1 pairwise subjects.
    subject_type: z._default(z.enum(SUBJECT_TYPES), "public"),
    // PAR (RFC 9126 §6), JARM (§3) and the response types /authorize accepts (OIDC Core §3.1, §3.3).
    require_pushed_authorization_requests: z._default(z.boolean(), false),
    authorization_signed_response_alg: z._default(z.enum(SIGNING_ALGS), "ES256"),
    response_types: z._default(z.array(z.enum(RESPONSE_TYPES)).check(z.minLength(1), z.maxLength(RESPONSE_TYPES.length)), ["code"]),
    // CIBA Core §4 (signed authentication requests are not supported: no signing alg member).
    backchannel_token_delivery_mode: z._default(z.nullable(z.enum(DELIVERY_MODES)), null),
    backchannel_client_notification_endpoint: z._default(z.nullable(uriBy(logoutUriProblem)), null),
    backchannel_user_code_parameter: z._default(z.boolean(), false),
    // Encrypted ID tokens and signed/encrypted UserInfo (OIDC Registration §2); an alg without enc means A128CBC-HS256.
    id_token_encrypted_response_alg: z._default(z.nullable(z.enum(ENCRYPTION_ALGS)), null),
    id_token_encrypted_response_enc: z._default(z.nullable(z.enum(ENCRYPTION_ENCS)), null),
    userinfo_signed_response_alg: z._default(z.nullable(z.enum(SIGNING_ALGS)), null),
    userinfo_encrypted_response_alg: z._default(z.nullable(z.enum(ENCRYPTION_ALGS)), null),
    userinfo_encrypted_response_enc: z._default(z.nullable(z.enum(ENCRYPTION_ENCS)), null),
    // JWT assertions (RFC 7523 §2.2, RFC 9101): one algorithm (null: any of ASSERTION_ALGS); signed requests only.
    token_endpoint_auth_signing_alg: z._default(z.nullable(z.enum(ASSERTION_ALGS)), null),
    request_object_signing_alg: z._default(z.nullable(z.enum(ASSERTION_ALGS)), null),
    require_signed_request_object: z._default(z.boolean(), false),
    // FAPI 2.0 Security Profile (clients/fapi.ts): the profile's rules together.
    security_profile: z._default(z.nullable(z.enum(SECURITY_PROFILES)), null),
    // Two-factor sign-in: every sign-in to this client needs the second factor.
    mfa_required: z._default(z.boolean(), false),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.client_type === "public" && body.client_secret !== undefined) {
        ctx.addIssue({ code: "custom", path: ["client_secret"], message: "public clients have no secret", input: body });
      }
      const methodProblem = authMethodProblem(body.client_type, body.token_endpoint_auth_method);
      if (methodProblem) ctx.addIssue({ code: "custom", path: ["token_endpoint_auth_method"], message: methodProblem, input: body });
      if (body.client_type === "public" && body.grant_types.includes("client_credentials")) {
        ctx.addIssue({ code: "custom", path: ["grant_types"], message: "client_credentials needs a confidential client", input: body });
      }
      if (body.jwks !== null && body.jwks_uri !== null) {
        ctx.addIssue({ code: "custom", path: ["jwks_uri"], message: "register jwks or jwks_uri, not both (RFC 7591 §2)", input: body });
      }
      // private_key_jwt (RFC 7523 §2.2): the client proves itself with its keys, so it needs some and has no secret.
      if (body.token_endpoint_auth_method === "private_key_jwt") {
        if (body.jwks === null && body.jwks_uri === null) ctx.addIssue({ code: "custom", path: ["jwks"], message: "private_key_jwt needs the client's public keys: jwks or jwks_uri", input: body });
        if (body.client_secret !== undefined) ctx.addIssue({ code: "custom", path: ["client_secret"], message: "private_key_jwt clients have no secret", input: body });
      }
      // client_secret_jwt (RFC 7523 §2.2) is HMAC with the secret: HS256, not one of the asymmetric algorithms.
      if (body.token_endpoint_auth_method === "client_secret_jwt" && body.token_endpoint_auth_signing_alg !== null) {
        ctx.addIssue({ code: "custom", path: ["token_endpoint_auth_signing_alg"], message: "client_secret_jwt signs with HS256; leave this unset", input: body });
      }
      const frontchannel = body.frontchannel_logout_uri;
      const origin = frontchannel === null ? null : frontchannelOriginProblem(frontchannel, body.redirect_uris);
      if (origin) ctx.addIssue({ code: "custom", path: ["frontchannel_logout_uri"], message: origin, input: body });
      const sector = body.subject_type === "pairwise" ? pairwiseRedirectProblem(body.redirect_uris) : null;
      if (sector) ctx.addIssue({ code: "custom", path: ["subject_type"], message: sector, input: body });
      const ciba = cibaSettingsProblem({
        grantTypes: body.grant_types,
        confidential: body.client_type === "confidential",
        mode: body.backchannel_token_delivery_mode,
        notificationEndpoint: body.backchannel_client_notification_endpoint,
        userCodeParameter: body.backchannel_user_code_parameter,
      });
      if (ciba) ctx.addIssue({ code: "custom", path: [ciba[0]], message: ciba[1], input: body });
      const fapi = body.security_profile === "fapi2"
        ? fapi2Problem({ clientType: body.client_type, tokenEndpointAuthMethod: body.token_endpoint_auth_method ?? "client_secret_basic", responseTypes: body.response_types })
        : null;
      if (fapi) ctx.addIssue({ code: "custom", path: [fapi[0]], message: fapi[1], input: body });
    }),
  )
  // Encrypted ID tokens and signed/encrypted UserInfo: enc needs alg, encryption needs a usable key.
  .check(
    z.superRefine((body, ctx) => {
      const problem = protectionProblem(body as ProtectionMetadata, { jwks: body.jwks as ProtectionJwks, jwks_uri: body.jwks_uri });
      if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.why, input: body });
    }),
  );

type ProtectionJwks = Parameters<typeof protectionProblem>[1]["jwks"];

export type ClientBody = z.infer<typeof clientBody>;

/** The registered method: the body's, else the type's default (Basic for confidential clients, RFC 6749 §2.3.1). */
export function authMethodOf(body: ClientBody): AuthMethod {
  return body.token_endpoint_auth_method ?? (body.client_type === "public" ? "none" : "client_secret_basic");
}
