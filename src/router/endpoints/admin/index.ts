import { Hono } from "hono/tiny";
import { bodyLimit } from "hono/body-limit";
import { OAuthError } from "../../errors";
import { noStore } from "../../no-store";
import type { AppEnv } from "../../types";
import { adminAudit } from "./audit";
import { limitByOperatorToken } from "../../rate-limit/middleware";
import { requireAdmin } from "./auth";
import { adminBackups, adminShardRollback } from "./backups";
import { adminClients } from "./clients";
import { adminClientUsage } from "./client-usage";
import { adminIdentities } from "./identities";
import { adminLogoutDeliveries } from "./logout-deliveries";
import { adminConsents } from "./consents";
import { adminPasskeys } from "./passkeys";
import { adminKeys } from "./keys";
import { adminMetrics } from "./metrics";
import { adminRegistrationTokens } from "./registration-tokens";
import { adminSessions } from "./sessions";
import { adminShardMoves } from "./shard-moves";
import { adminShards } from "./shards";
import { adminUsers } from "./users";
import { adminTrustedIssuers } from "./trusted-issuers";
// Admin console: operators, scoped operator tokens, and the audit of every change.
import { auditChanges } from "./change-audit";
import { adminOperators, adminOperatorTokens } from "./operators";
import { adminLdap, adminUserLdap } from "./ldap";
import { adminSamlServiceProviders } from "./saml-service-providers";
import { adminClientAccessClaims, adminGroups, adminRoles, adminUserAccess } from "./access";
import { adminScimClients } from "./scim-clients";
import { adminUpstreams } from "./upstreams";
import { adminBrandingLogos, adminClientBranding } from "./branding";

const tooLarge = () => {
  throw new OAuthError("invalid_request", 413, "request body too large (limit 64 KiB)");
};

/** The operator API, mounted at /admin. */
export const admin = new Hono<AppEnv>()
  .use("*", noStore())
  .use("*", requireAdmin())
  .use("*", limitByOperatorToken())
  .use("*", bodyLimit({ maxSize: 64 * 1024, onError: tooLarge }))
  .use("*", auditChanges())
  .route("/users", adminUsers)
  .route("/users", adminSessions)
  .route("/users", adminConsents)
  // Passkeys (WebAuthn): a user's passkeys, and removing a lost one.
  .route("/users", adminPasskeys)
  .route("/clients", adminClients)
  // Admin console: a client's recent activity (audit window counts by type).
  .route("/clients", adminClientUsage)
  .route("/clients", adminLogoutDeliveries)
  .route("/registration-tokens", adminRegistrationTokens)
  .route("/shards", adminShards)
  .route("/shards", adminShardMoves)
  .route("/shards", adminShardRollback)
  .route("/backups", adminBackups)
  .route("/keys", adminKeys)
  .route("/metrics", adminMetrics)
  .route("/audit", adminAudit)
  // JWT bearer grant (RFC 7523 §2.1): the issuers whose assertions /token accepts.
  .route("/trusted-issuers", adminTrustedIssuers)
  // Admin console: who may operate (viewer | admin) and the scoped API tokens.
  .route("/operators", adminOperators)
  .route("/operator-tokens", adminOperatorTokens)
  // LDAP / Active Directory: an immediate sync, and a user's directory link.
  .route("/ldap", adminLdap)
  .route("/users", adminUserLdap)
  // SAML 2.0 IdP (src/saml): the service providers, registered from their metadata XML.
  .route("/saml/service-providers", adminSamlServiceProviders)
  // Roles, groups and permissions (RBAC/ABAC): definitions, a user's roles, a client's claims.
  .route("/roles", adminRoles)
  .route("/groups", adminGroups)
  .route("/users", adminUserAccess)
  .route("/clients", adminClientAccessClaims)
  // SCIM 2.0 provisioning clients (bearer tokens for /scim/v2).
  .route("/scim-clients", adminScimClients)
  // Federation: the upstream identity providers people sign in with.
  .route("/upstreams", adminUpstreams)
  .route("/users", adminIdentities)
  // Branding and languages: logos (R2) and each client's look.
  .route("/branding", adminBrandingLogos)
  .route("/clients", adminClientBranding);
