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
import { adminLogoutDeliveries } from "./logout-deliveries";
import { adminConsents } from "./consents";
import { adminKeys } from "./keys";
import { adminMetrics } from "./metrics";
import { adminRegistrationTokens } from "./registration-tokens";
import { adminSessions } from "./sessions";
import { adminShardMoves } from "./shard-moves";
import { adminShards } from "./shards";
import { adminUsers } from "./users";
import { adminTrustedIssuers } from "./trusted-issuers";
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
  .route("/users", adminUsers)
  .route("/users", adminSessions)
  .route("/users", adminConsents)
  .route("/clients", adminClients)
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
  // Branding and languages: logos (R2) and each client's look.
  .route("/branding", adminBrandingLogos)
  .route("/clients", adminClientBranding);
