import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

/**
 * Admin console (src/router/console): who may operate the deployment, and the scoped,
 * revocable operator API tokens. An operator is a normal user with a deployment-level
 * grant: `viewer` sees everything and changes nothing, `admin` may change anything.
 * An API token is kept as the SHA-256 of its secret only; `read` tokens may only GET.
 */
export const operators = sqliteTable("operators", {
  userId: text("user_id").primaryKey(),
  // viewer | admin
  role: text("role").notNull(),
  grantedAt: integer("granted_at").notNull(),
  grantedBy: text("granted_by").notNull(),
});

export const adminTokens = sqliteTable(
  "admin_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    // read | full
    scope: text("scope").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("admin_tokens_hash").on(t.tokenHash)],
);

// --- LDAP / Active Directory ---

/**
 * Users that come from the directory: its DN (lower-cased) → the local user id and the email
 * it was indexed under. A sync walks this to find users gone from the directory (the shards
 * cannot be asked which of their users are directory users without visiting every one).
 */
export const ldapAccounts = sqliteTable(
  "ldap_accounts",
  {
    dn: text("dn").primaryKey(),
    userId: text("user_id").notNull(),
    email: text("email").notNull(),
    removedAt: integer("removed_at"),
    syncedAt: integer("synced_at").notNull(),
  },
  (t) => [index("ldap_accounts_user").on(t.userId)],
);

/**
 * SAML 2.0 IdP (src/saml, src/router/saml): the service providers the operator registered
 * from their metadata XML, with the operator's choices for each. Read per isolate with a
 * cache like clients (src/router/saml/service-providers.ts).
 */
export const samlServiceProviders = sqliteTable("saml_service_providers", {
  entityId: text("entity_id").primaryKey(),
  displayName: text("display_name").notNull(),
  // JSON: the SpMetadata parsed from the registered metadata (src/saml/sp-metadata.ts).
  metadata: text("metadata").notNull(),
  // email | persistent | unspecified
  nameIdFormat: text("name_id_format").notNull(),
  signResponse: integer("sign_response", { mode: "boolean" }).notNull(),
  signAssertion: integer("sign_assertion", { mode: "boolean" }).notNull(),
  // EncryptedAssertion to the SP's encryption certificate (in metadata).
  encryptAssertion: integer("encrypt_assertion", { mode: "boolean" }).notNull().default(false),
  // JSON: our attribute name → the name the SP expects (SAML Core §2.7.3.1).
  attributeMap: text("attribute_map").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

// --- Roles, groups (RBAC/ABAC) and SCIM 2.0 provisioning ---------------------------------
// Definitions are global and small (read whole into a per-isolate cache at issuance);
// a user's memberships live in the user's shard (user_access). group_members and
// scim_users are indexes for SCIM's global listing and filtering, written after the shard.

/** A role: realm-wide (client_id null) or only in tokens for one client; an optional ABAC condition (JSON). */
export const roles = sqliteTable("roles", {
  name: text("name").primaryKey(),
  description: text("description"),
  clientId: text("client_id"),
  condition: text("condition", { mode: "json" }).$type<unknown>(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Role → permissions. */
export const rolePermissions = sqliteTable(
  "role_permissions",
  { roleName: text("role_name").notNull(), permission: text("permission").notNull() },
  (t) => [primaryKey({ columns: [t.roleName, t.permission] })],
);

/** A group (SCIM Group): display name unique, the roles its members get; version is the ETag. */
export const accessGroups = sqliteTable(
  "access_groups",
  {
    id: text("id").primaryKey(),
    displayName: text("display_name").notNull().unique(),
    externalId: text("external_id"),
    roles: text("roles", { mode: "json" }).$type<string[]>().notNull(),
    version: integer("version").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("access_groups_external_id").on(t.externalId)],
);

/** Global view of group membership (the truth is user_access.groups in the user's shard). */
export const groupMembers = sqliteTable(
  "group_members",
  { groupId: text("group_id").notNull(), userId: text("user_id").notNull() },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index("group_members_user").on(t.userId)],
);

/** Which of roles/groups/permissions a client gets in its ID token, access token and userinfo. */
export const clientAccessClaims = sqliteTable("client_access_claims", {
  clientId: text("client_id").primaryKey(),
  idToken: text("id_token", { mode: "json" }).$type<string[]>().notNull(),
  accessToken: text("access_token", { mode: "json" }).$type<string[]>().notNull(),
  userinfo: text("userinfo", { mode: "json" }).$type<string[]>().notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** SCIM provisioning clients: only the SHA-256 of their bearer token. */
export const scimClients = sqliteTable("scim_clients", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
});

/** SCIM-searchable attributes of users (filter on userName, externalId, displayName). */
export const scimUsers = sqliteTable(
  "scim_users",
  {
    userId: text("user_id").primaryKey(),
    userName: text("user_name").notNull(),
    externalId: text("external_id"),
    displayName: text("display_name"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("scim_users_user_name").on(t.userName), index("scim_users_external_id").on(t.externalId), index("scim_users_display_name").on(t.displayName)],
);

// --- Federation: sign in with upstream identity providers (src/router/federation) ---

/**
 * The upstream identity providers an operator configured (operator API /admin/upstreams).
 * `preset` names the declarative defaults (src/federation/presets.ts); the endpoints are
 * stored resolved so a sign-in needs no discovery call. The client secret is sealed
 * (AES-256-GCM under FEDERATION_SECRET_KEY, bound to the provider id). Read through a
 * per-isolate cache, like clients.
 */
export const upstreamProviders = sqliteTable("upstream_providers", {
  id: text("id").primaryKey(),
  preset: text("preset").notNull(),
  displayName: text("display_name").notNull(),
  // oidc (ID token) | oauth2 (userinfo only)
  kind: text("kind").notNull(),
  issuer: text("issuer"),
  authorizationEndpoint: text("authorization_endpoint").notNull(),
  tokenEndpoint: text("token_endpoint").notNull(),
  userinfoEndpoint: text("userinfo_endpoint"),
  // GitHub-style: the verified primary email comes from this list, not the profile
  emailsEndpoint: text("emails_endpoint"),
  jwksUri: text("jwks_uri"),
  clientId: text("client_id").notNull(),
  sealedSecret: text("sealed_secret"),
  // Apple: the client secret is an ES256 JWT minted per token request from the team's key (sealed like the secret)
  appleTeamId: text("apple_team_id"),
  appleKeyId: text("apple_key_id"),
  appleSealedKey: text("apple_sealed_key"),
  scope: text("scope").notNull(),
  claimMapping: text("claim_mapping").notNull(),
  // never | verified_email: whether a first sign-in whose verified email is an existing user's links to it
  linkPolicy: text("link_policy").notNull(),
  showOnLogin: integer("show_on_login", { mode: "boolean" }).notNull(),
  storeTokens: integer("store_tokens", { mode: "boolean" }).notNull(),
  trustAmr: integer("trust_amr", { mode: "boolean" }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * (provider, upstream subject) → user id: the one global lookup of a federated sign-in,
 * written once when an identity is first linked. The primary key makes it unique, so two
 * concurrent first sign-ins of one identity agree on one user (the second insert loses
 * and reads the winner).
 */
export const federatedIdentities = sqliteTable(
  "federated_identities",
  {
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    userId: text("user_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] }), index("federated_identities_user").on(t.userId)],
);
