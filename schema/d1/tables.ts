import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Global index: normalized email → user id. Reserved before the user is created. */
export const userEmails = sqliteTable("user_emails", {
  email: text("email").primaryKey(),
  userId: text("user_id").notNull().unique(),
  createdAt: integer("created_at").notNull(),
});

export const clients = sqliteTable("clients", {
  clientId: text("client_id").primaryKey(),
  clientName: text("client_name").notNull(),
  // confidential | public
  clientType: text("client_type").notNull(),
  // SHA-256 (base64url) of the client secret; null for public clients
  secretHash: text("secret_hash"),
  redirectUris: text("redirect_uris", { mode: "json" }).$type<string[]>().notNull(),
  // Where RP-initiated logout may send the browser back to; matched exactly like redirect URIs.
  postLogoutRedirectUris: text("post_logout_redirect_uris", { mode: "json" }).$type<string[]>().notNull().default([]),
  grantTypes: text("grant_types", { mode: "json" }).$type<string[]>().notNull(),
  scope: text("scope").notNull(),
  // client_secret_basic | client_secret_post (confidential) | none (public, PKCE)
  tokenEndpointAuthMethod: text("token_endpoint_auth_method").notNull(),
  idTokenSignedResponseAlg: text("id_token_signed_response_alg").notNull().default("ES256"),
  // Offline refresh families of this client survive logout (like Keycloak's offline tokens).
  offlineSurvivesLogout: integer("offline_survives_logout", { mode: "boolean" }).notNull().default(false),
  // Seconds a rotated refresh token may be retried for the same successor; null = REFRESH_GRACE_S.
  refreshGraceS: integer("refresh_grace_s"),
  // Audiences this client may ask for in token exchange (RFC 8693); empty = no exchange.
  tokenExchangeAudiences: text("token_exchange_audiences", { mode: "json" }).$type<string[]>().notNull().default([]),
  // OIDC Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed, and whether they must carry sid.
  backchannelLogoutUri: text("backchannel_logout_uri"),
  backchannelLogoutSessionRequired: integer("backchannel_logout_session_required", { mode: "boolean" }).notNull().default(false),
  // OIDC Front-Channel Logout 1.0 §2: the page rendered in an iframe at logout, and whether it gets iss and sid.
  frontchannelLogoutUri: text("frontchannel_logout_uri"),
  frontchannelLogoutSessionRequired: integer("frontchannel_logout_session_required", { mode: "boolean" }).notNull().default(false),
  // The client's public keys (RFC 7591 §2): by value or by reference, never both; stored for private_key_jwt.
  jwks: text("jwks", { mode: "json" }).$type<{ keys: Record<string, unknown>[] }>(),
  jwksUri: text("jwks_uri"),
  // PAR, JARM and the hybrid flow: pushed requests required for this client (RFC 9126 §6); the
  // algorithm of its JWT-secured authorization responses (JARM §3); the response types it may
  // ask /authorize for (RFC 7591 §2, OIDC Core §3.3).
  requirePushedAuthorizationRequests: integer("require_pushed_authorization_requests", { mode: "boolean" }).notNull().default(false),
  authorizationSignedResponseAlg: text("authorization_signed_response_alg").notNull().default("ES256"),
  responseTypes: text("response_types", { mode: "json" }).$type<string[]>().notNull().default(["code"]),
  // JWT assertions (private_key_jwt, JAR — RFC 7523, RFC 9101): the one algorithm this client's
  // assertions / request objects must use (null: any supported), and whether /authorize
  // accepts only signed request objects from it (RFC 9101 §10.5).
  tokenEndpointAuthSigningAlg: text("token_endpoint_auth_signing_alg"),
  requestObjectSigningAlg: text("request_object_signing_alg"),
  requireSignedRequestObject: integer("require_signed_request_object", { mode: "boolean" }).notNull().default(false),
  // FAPI 2.0 Security Profile: "fapi2" holds this client to the profile's rules together (PAR, PKCE S256,
  // private_key_jwt, DPoP-bound tokens, codes of at most 60 s); null: no profile.
  securityProfile: text("security_profile"),
  // Descriptive RFC 7591 metadata (client_uri, logo_uri, contacts, software_id, software_statement, ...): shown, never enforced.
  metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  // Dynamic registration (RFC 7591/7592). SHA-256 of the registration access token; null for
  // operator-registered clients, which the client configuration endpoint cannot touch.
  registrationTokenHash: text("registration_token_hash"),
  // The initial access token that registered the client (null: operator, or open registration).
  initialTokenId: text("initial_token_id"),
  // The policy the client registered under, kept so that an RFC 7592 update cannot step outside it.
  registrationPolicy: text("registration_policy", { mode: "json" }).$type<{ grant_types: string[]; scope: string; token_endpoint_auth_methods: string[] | null }>(),
  // CIBA (OpenID CIBA Core 1.0 §4): how the client gets its result (poll | ping | push; null: no CIBA),
  // where ping and push notifications go, and whether it sends a user_code with each request.
  backchannelTokenDeliveryMode: text("backchannel_token_delivery_mode"),
  backchannelClientNotificationEndpoint: text("backchannel_client_notification_endpoint"),
  backchannelUserCodeParameter: integer("backchannel_user_code_parameter", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  // DPoP (RFC 9449 §5.2): dpop_bound_access_tokens — /token refuses this client's requests without a DPoP proof.
  dpopBoundAccessTokens: integer("dpop_bound_access_tokens", { mode: "boolean" }).notNull().default(false),
  // Pairwise subject identifiers (OIDC Core §8.1): public | pairwise. The sector is the one host of redirect_uris.
  subjectType: text("subject_type").notNull().default("public"),
  // Encrypted ID tokens and signed/encrypted UserInfo (OIDC Core §5.3.2, §10.2; OIDC Registration §2).
  // null = not registered: plain signed ID tokens, JSON UserInfo. An enc is stored only with its alg.
  idTokenEncryptedResponseAlg: text("id_token_encrypted_response_alg"),
  idTokenEncryptedResponseEnc: text("id_token_encrypted_response_enc"),
  userinfoSignedResponseAlg: text("userinfo_signed_response_alg"),
  userinfoEncryptedResponseAlg: text("userinfo_encrypted_response_alg"),
  userinfoEncryptedResponseEnc: text("userinfo_encrypted_response_enc"),
  // Two-factor sign-in (TOTP): every sign-in to this client needs the second factor (acr urn:authshard:acr:mfa).
  mfaRequired: integer("mfa_required", { mode: "boolean" }).notNull().default(false),
  // Branding and languages: the client's look over the deployment's (display_name, logo, primary_color,
  // background_color, text per language), as the operator API validated it; null: the deployment's look.
  branding: text("branding", { mode: "json" }).$type<Record<string, unknown>>(),
});

/**
 * Initial access tokens (RFC 7591 §3): minted by an operator, each allows `max_uses`
 * registrations within its policy until `expires_at`. Only the SHA-256 of the token is kept.
 */
export const registrationTokens = sqliteTable("registration_tokens", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  label: text("label"),
  // The policy: grant types and scopes a registrant may ask for; auth methods (null: any).
  grantTypes: text("grant_types", { mode: "json" }).$type<string[]>().notNull(),
  scope: text("scope").notNull(),
  tokenEndpointAuthMethods: text("token_endpoint_auth_methods", { mode: "json" }).$type<string[]>(),
  maxUses: integer("max_uses").notNull(),
  // Counted up by the registration that uses the token, in the same statement that checks used < max_uses.
  used: integer("used").notNull().default(0),
  expiresAt: integer("expires_at").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: integer("at").notNull(),
    type: text("type").notNull(),
    userId: text("user_id"),
    clientId: text("client_id"),
    bucket: integer("bucket"),
    shard: text("shard"),
    data: text("data").notNull(),
  },
  (t) => [index("audit_log_at").on(t.at), index("audit_log_user").on(t.userId, t.at)],
);

/**
 * JWT bearer grant (RFC 7523 §2.1): issuers whose assertions /token accepts, with
 * their public keys (by value or by reference), the audiences an assertion may name
 * besides ours, what its `sub` is (`user`: a user id of ours; `client`: the client
 * itself), the scopes a token may carry and the longest assertion lifetime accepted.
 * Read through a per-isolate cache, like clients.
 */
export const trustedIssuers = sqliteTable("trusted_issuers", {
  issuer: text("issuer").primaryKey(),
  jwks: text("jwks", { mode: "json" }).$type<{ keys: Record<string, unknown>[] }>(),
  jwksUri: text("jwks_uri"),
  audiences: text("audiences", { mode: "json" }).$type<string[]>().notNull().default([]),
  // user | client
  subjectType: text("subject_type").notNull(),
  scope: text("scope").notNull(),
  maxLifetimeS: integer("max_lifetime_s").notNull().default(300),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * client_secret_jwt (RFC 7523 §2.2): the secrets of clients registered for it, sealed
 * with AES-256-GCM under the CLIENT_SECRET_KEY Worker secret (HMAC needs the secret
 * itself; every other client keeps only clients.secret_hash). A sealed secret counts
 * only while its SHA-256 is the client's current secret_hash.
 */
export const clientSealedSecrets = sqliteTable("client_sealed_secrets", {
  clientId: text("client_id").primaryKey(),
  sealed: text("sealed").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Email (src/email): the development mailbox, GET /dev/mail. Written only by the "dev"
 * sender (EMAIL_SENDER=dev, for `npm start` and the tests) and kept to the newest
 * messages; empty in a deployment that sends real email.
 */
export const devMailbox = sqliteTable("dev_mailbox", {
  id: text("id").primaryKey(),
  to: text("to_address").notNull(),
  subject: text("subject").notNull(),
  body: text("body").notNull(),
  createdAt: integer("created_at").notNull(),
});
