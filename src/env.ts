import type { KeyManagerActor } from "./actors/key-manager/actor";
import type { ShardDirectoryActor } from "./actors/directory/actor";
import type { UserShardActor } from "./actors/user-shard/actor";
import type { AuditMessage } from "./audit/message";
import type { BackchannelJob } from "./backchannel/message";
import type { CibaJob } from "./ciba/message";
import type { EmailJob } from "./email/message";

/** Bindings and variables of the worker (wrangler.jsonc, .dev.vars, secrets). */
export interface Env {
  USER_SHARD: DurableObjectNamespace<UserShardActor>;
  SHARD_DIRECTORY: DurableObjectNamespace<ShardDirectoryActor>;
  KEY_MANAGER: DurableObjectNamespace<KeyManagerActor>;
  DB: D1Database;
  /** Audit events from the shards' outboxes to the archive consumer. */
  AUDIT_QUEUE: Queue<AuditMessage>;
  /** Back-channel logout notifications from the shards' outboxes to their delivery consumer. */
  LOGOUT_QUEUE: Queue<BackchannelJob>;
  /** CIBA notifications (authentication device, client ping and push) from the shards' outboxes. */
  NOTIFY_QUEUE: Queue<CibaJob>;
  /** Email jobs (src/email): codes, magic links and resets leave the request path through this queue. */
  EMAIL_QUEUE: Queue<EmailJob>;
  /** Cloudflare Email Service (EMAIL_SENDER=cloudflare): the send_email binding, production only. */
  EMAIL?: SendEmail;
  /** Audit archive: gzip NDJSON objects partitioned by day and hour. */
  AUDIT_ARCHIVE: R2Bucket;
  /** Bucket backups (`npm run shards -- backup`). */
  BACKUPS: R2Bucket;
  /** Branding: uploaded logos, content-addressed (<sha256>.<ext>), served at /branding/<name>. */
  BRANDING: R2Bucket;
  /** The last shard map the directory published, for cold isolates while it is down. */
  MAP_SNAPSHOT: KVNamespace;
  /** Request metrics (Workers Analytics Engine). */
  REQUEST_METRICS?: AnalyticsEngineDataset;
  /** Rate limits, one binding per rule (src/router/rate-limit/rules.ts; limits in wrangler.jsonc). */
  LIMIT_TOKEN_IP: RateLimit;
  LIMIT_TOKEN_CLIENT: RateLimit;
  LIMIT_AUTHORIZE_IP: RateLimit;
  LIMIT_FORM_IP: RateLimit;
  LIMIT_ADMIN: RateLimit;
  ISSUER?: string;
  SHARD_COUNT?: string;
  ADMIN_TOKEN?: string;
  MAP_CACHE_TTL_MS?: string;
  SHARD_RETRY_BUDGET_MS?: string;
  ACCESS_TOKEN_TTL_S?: string;
  ID_TOKEN_TTL_S?: string;
  CODE_TTL_S?: string;
  DEVICE_CODE_TTL_S?: string;
  SESSION_IDLE_TTL_S?: string;
  SESSION_MAX_TTL_S?: string;
  KEY_ROTATION_INTERVAL_S?: string;
  KEY_CACHE_TTL_MS?: string;
  KEY_STALE_SIGNING_S?: string;
  INTERACTION_TTL_S?: string;
  CLIENT_CACHE_TTL_MS?: string;
  REFRESH_IDLE_TTL_S?: string;
  REFRESH_MAX_TTL_S?: string;
  REFRESH_GRACE_S?: string;
  AUDIT_RETENTION_DAYS?: string;
  OUTBOX_MAX_EVENTS?: string;
  /** Comma-separated audit event types kept out of the D1 window (default token.issued), or none. */
  AUDIT_WINDOW_SKIP?: string;
  /** all | errors (default) | off: which requests get a JSON log line. */
  LOG_REQUESTS?: string;
  /** "on" (default) or "off": the router's rate limits; off only for local load runs. */
  RATE_LIMITS?: string;
  /** token (default) | open | off: who may register clients at POST /register (RFC 7591). */
  REGISTRATION?: string;
  /** Pushed authorization requests (RFC 9126): request_uri lifetime, and whether every client must push. */
  PAR_TTL_S?: string;
  REQUIRE_PAR?: string;
  /** The issuer whose software statements registration trusts (its `iss`), with... */
  DCR_SOFTWARE_STATEMENT_ISSUER?: string;
  /** ...its public keys, a JWK Set as JSON. */
  DCR_SOFTWARE_STATEMENT_JWKS?: string;
  /** DPoP (RFC 9449): off (default) | token | all — where a server nonce (§8, §9) is required. */
  DPOP_NONCE?: string;
  /** The secret DPoP nonces are derived from (at least 32 characters); required unless DPOP_NONCE is off. */
  DPOP_NONCE_SECRET?: string;
  /** Seconds a DPoP proof's iat may lie from our clock, either way (RFC 9449 §11.1); default 60. */
  DPOP_IAT_WINDOW_S?: string;
  /** CIBA (src/config.ts CibaConfig): the auth_req_id key, request lifetimes, the authentication-device webhook, the dev listing. */
  CIBA_SECRET?: string;
  CIBA_TTL_S?: string;
  CIBA_MAX_TTL_S?: string;
  CIBA_NOTIFIER_URL?: string;
  CIBA_NOTIFIER_SECRET?: string;
  CIBA_DEV_LISTING?: string;
  /** client_secret_jwt (RFC 7523 §2.2): base64url of 32 random bytes, the AES-256-GCM key that seals those clients' secrets at rest. A Worker secret. */
  CLIENT_SECRET_KEY?: string;
  /** Email (src/config.ts EmailConfig): sender, From, the HTTP mail API, lifetimes, dev mailbox, sign-up. */
  EMAIL_SENDER?: string;
  EMAIL_FROM?: string;
  EMAIL_HTTP_URL?: string;
  EMAIL_HTTP_KEY?: string;
  EMAIL_CODE_TTL_S?: string;
  EMAIL_CODE_MAX_ATTEMPTS?: string;
  DEV_MAILBOX?: string;
  SIGNUP?: string;
  /** "1" turns on load/metrics mode (src/router/metrics.ts): call counting and /admin/metrics. */
  METRICS?: string;
  /** Secret key of pairwise subject identifiers (OIDC Core §8.1); a fixed default on a loopback issuer only. */
  PAIRWISE_SALT?: string;
  // Two-factor sign-in (TOTP)
  MFA_SECRET_KEY?: string;
  MFA_REQUIRED?: string;
  // Admin console
  CONSOLE_MFA?: string;
  CONSOLE_SESSION_TTL_S?: string;
  // LDAP / Active Directory sign-in and sync (src/config-ldap.ts, README "LDAP / Active Directory").
  LDAP_URL?: string;
  LDAP_STARTTLS?: string;
  LDAP_BIND_DN?: string;
  /** The service account's password (a Worker secret). */
  LDAP_BIND_PASSWORD?: string;
  LDAP_USER_DN_TEMPLATE?: string;
  LDAP_USER_BASE?: string;
  LDAP_USER_FILTER?: string;
  LDAP_GROUP_BASE?: string;
  LDAP_GROUP_FILTER?: string;
  LDAP_ATTRIBUTES?: string;
  LDAP_GROUP_ROLES?: string;
  LDAP_TIMEOUT_MS?: string;
  LDAP_SYNC?: string;
  LDAP_PAGE_SIZE?: string;
  // Federation (sign in with upstream identity providers)
  FEDERATION_SECRET_KEY?: string;
  FEDERATION_TIMEOUT_MS?: string;
  // Passkeys (WebAuthn)
  WEBAUTHN_RP_ID?: string;
  WEBAUTHN_ORIGINS?: string;
  PASSKEY_CHALLENGE_TTL_S?: string;
  // Branding and languages: the deployment's look (src/config-flows.ts parseBranding).
  BRAND_NAME?: string;
  BRAND_LOGO?: string;
  BRAND_PRIMARY_COLOR?: string;
  BRAND_BACKGROUND_COLOR?: string;
  BRAND_TEXT?: string;
  BRAND_TEXT_JA?: string;
}
