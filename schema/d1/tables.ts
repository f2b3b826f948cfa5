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
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
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
