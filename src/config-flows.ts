import type { Env } from "./env";
import { ConfigError, LOOPBACK, parseChoice, parseInteger, parseSecret, parseSwitch } from "./config-parse";
import { brandOf, HEX_COLOR, LOGO_NAME, MAX_DISPLAY_NAME, MAX_TEXT, type Brand } from "./branding/brand";

/* The configuration of the sign-in channels and decoupled flows: email, two-factor sign-in, CIBA. */

/** Email (README "Email: codes, magic links, sign-up and password reset"). */
export interface EmailConfig {
  /** Which adapter sends: the development mailbox, Cloudflare's send_email binding, or an HTTP mail API. */
  readonly sender: "dev" | "cloudflare" | "http";
  /** The From address of every message. */
  readonly from: string;
  /** EMAIL_HTTP_URL / EMAIL_HTTP_KEY (Worker secret): the HTTP mail API's send endpoint and bearer key. */
  readonly httpUrl: string | null;
  readonly httpKey: string | null;
  /** Lifetime of an emailed code, magic link or reset code. */
  readonly codeTtlS: number;
  /** Wrong codes that kill a code. */
  readonly maxAttempts: number;
  /** GET /dev/mail lists the development mailbox (local development only). */
  readonly devMailbox: boolean;
  /** Self-service sign-up at /signup. */
  readonly signup: boolean;
}

/** Two-factor sign-in with TOTP (RFC 6238). */
export interface MfaConfig {
  /** MFA_SECRET_KEY: the AES-256-GCM key TOTP secrets are sealed with in the shard (base64url, 32 bytes); null: TOTP enrolment is refused. */
  readonly secretKey: string | null;
  /** MFA_REQUIRED=on: every sign-in needs the second factor, whatever the client asks. */
  readonly required: boolean;
}

/** Client-initiated backchannel authentication (README "Client-initiated backchannel authentication"). */
export interface CibaConfig {
  /** Key that derives each auth_req_id from its request id (HMAC-SHA-256); null turns CIBA off. */
  readonly secret: string | null;
  /** Lifetime of a request when the client asks for none (§7.1 requested_expiry caps at cibaMaxTtlS). */
  readonly defaultTtlS: number;
  readonly maxTtlS: number;
  /** Where the authentication device's webhook is POSTed; null: no webhook (local: see /dev/ciba). */
  readonly notifierUrl: string | null;
  /** HMAC-SHA-256 key the webhook body is signed with. */
  readonly notifierSecret: string | null;
  /** GET /dev/ciba lists pending requests with their approval links (local development only). */
  readonly devListing: boolean;
}

/**
 * TOTP needs the secret itself (a hash cannot compute codes), so it is sealed with
 * MFA_SECRET_KEY. Local runs (a loopback issuer) get a fixed key, like PAIRWISE_SALT;
 * a public issuer must be given its own, and without one nobody can enrol.
 */
const DEV_MFA_SECRET_KEY = "YXV0aHNoYXJkLWxvY2FsLWRldi1tZmEta2V5LW5vdCE";

export function parseMfa(env: Partial<Env>, loopback: boolean): MfaConfig {
  const raw = env.MFA_SECRET_KEY?.trim() ?? "";
  if (raw !== "" && !/^[A-Za-z0-9_-]{43}$/.test(raw)) throw new ConfigError("MFA_SECRET_KEY", "must be base64url of 32 random bytes (43 characters), e.g. from `openssl rand -base64 32 | tr '+/' '-_' | tr -d =`");
  const secretKey = raw !== "" ? raw : loopback ? DEV_MFA_SECRET_KEY : null;
  return Object.freeze({ secretKey, required: parseSwitch("MFA_REQUIRED", env.MFA_REQUIRED, false) });
}


export function parseCiba(env: Partial<Env>): CibaConfig {
  const notifierUrl = env.CIBA_NOTIFIER_URL?.trim() || null;
  if (notifierUrl !== null) {
    let url: URL | null = null;
    try {
      url = new URL(notifierUrl);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname)))) {
      throw new ConfigError("CIBA_NOTIFIER_URL", "must be an https URL (http only on localhost / 127.0.0.1)");
    }
  }
  const notifierSecret = parseSecret("CIBA_NOTIFIER_SECRET", env.CIBA_NOTIFIER_SECRET);
  if (notifierUrl !== null && notifierSecret === null) throw new ConfigError("CIBA_NOTIFIER_SECRET", "is required with CIBA_NOTIFIER_URL (the webhook is signed with it)");
  const maxTtlS = parseInteger("CIBA_MAX_TTL_S", env.CIBA_MAX_TTL_S, 600, 60, 3_600);
  return Object.freeze({
    secret: parseSecret("CIBA_SECRET", env.CIBA_SECRET),
    defaultTtlS: Math.min(parseInteger("CIBA_TTL_S", env.CIBA_TTL_S, 300, 30, 3_600), maxTtlS),
    maxTtlS,
    notifierUrl,
    notifierSecret,
    devListing: parseSwitch("CIBA_DEV_LISTING", env.CIBA_DEV_LISTING, false),
  });
}

export function parseEmail(env: Partial<Env>): EmailConfig {
  const sender = parseChoice("EMAIL_SENDER", env.EMAIL_SENDER, ["dev", "cloudflare", "http"] as const);
  const httpUrl = env.EMAIL_HTTP_URL?.trim() || null;
  const httpKey = env.EMAIL_HTTP_KEY?.trim() || null;
  if (sender === "http") {
    let url: URL | null = null;
    try {
      url = new URL(httpUrl ?? "");
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname)))) {
      throw new ConfigError("EMAIL_HTTP_URL", "is required with EMAIL_SENDER=http: the mail API's https send endpoint");
    }
    if (!httpKey) throw new ConfigError("EMAIL_HTTP_KEY", "is required with EMAIL_SENDER=http (a Worker secret: the mail API's bearer key)");
  }
  const from = env.EMAIL_FROM?.trim() || "no-reply@authshard.localhost";
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from)) throw new ConfigError("EMAIL_FROM", "must be a plain email address");
  return Object.freeze({
    sender,
    from,
    httpUrl,
    httpKey,
    codeTtlS: parseInteger("EMAIL_CODE_TTL_S", env.EMAIL_CODE_TTL_S, 600, 60, 3_600),
    maxAttempts: parseInteger("EMAIL_CODE_MAX_ATTEMPTS", env.EMAIL_CODE_MAX_ATTEMPTS, 5, 1, 20),
    devMailbox: parseSwitch("DEV_MAILBOX", env.DEV_MAILBOX, false),
    signup: parseSwitch("SIGNUP", env.SIGNUP, false),
  });
}


/** Admin console (src/router/console). */
export interface ConsoleConfig {
  /** `required`: console sign-in always asks for the second factor; `auto`: only for operators who have one. */
  readonly mfa: "auto" | "required";
  /** Lifetime of the console's own session cookie; the provider session it is bound to must live too. */
  readonly sessionTtlS: number;
}

export function parseConsole(env: Partial<Env>): ConsoleConfig {
  return Object.freeze({
    mfa: parseChoice("CONSOLE_MFA", env.CONSOLE_MFA, ["auto", "required"] as const),
    sessionTtlS: parseInteger("CONSOLE_SESSION_TTL_S", env.CONSOLE_SESSION_TTL_S, 900, 60, 28_800),
  });
}

/** Passkeys (README "Passkeys"): the WebAuthn relying party this provider is. */
export interface PasskeyConfig {
  /** WEBAUTHN_RP_ID: the RP ID credentials are scoped to (WebAuthn §5.1.4.1); the issuer's host by default. */
  readonly rpId: string;
  /** WEBAUTHN_ORIGINS: the origins a ceremony may come from (clientDataJSON.origin); the issuer's origin by default. */
  readonly origins: readonly string[];
  /** PASSKEY_CHALLENGE_TTL_S: how long a challenge can be answered. */
  readonly challengeTtlS: number;
}

/** Whether `host` is `rpId` or a subdomain of it (WebAuthn §5.1.4.1: a registrable domain suffix of, or equal to, the origin's domain). */
function withinRpId(host: string, rpId: string): boolean {
  return host === rpId || host.endsWith(`.${rpId}`);
}

/**
 * Browsers refuse WebAuthn on an IP address, so a loopback issuer (http://127.0.0.1:8787)
 * is the RP "localhost" and its ceremonies come from http://localhost:<port>.
 */
export function parsePasskeys(env: Partial<Env>, issuer: string): PasskeyConfig {
  const url = new URL(issuer);
  const loopback = LOOPBACK.has(url.hostname);
  const defaultRpId = loopback ? "localhost" : url.hostname;
  const rpId = env.WEBAUTHN_RP_ID?.trim() || defaultRpId;
  if (!/^[a-z0-9.-]+$/.test(rpId) || !withinRpId(loopback ? "localhost" : url.hostname, rpId)) {
    throw new ConfigError("WEBAUTHN_RP_ID", `must be the issuer's host or a domain it is under (e.g. ${url.hostname}), got ${JSON.stringify(rpId)}`);
  }
  const defaults = loopback ? [`${url.protocol}//localhost${url.port ? `:${url.port}` : ""}`] : [url.origin];
  const listed = (env.WEBAUTHN_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const origins = listed.length ? listed : defaults;
  for (const origin of origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError("WEBAUTHN_ORIGINS", `${JSON.stringify(origin)} is not an origin (e.g. https://id.example.com)`);
    }
    const secure = parsed.protocol === "https:" || (parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname));
    if (parsed.origin !== origin || !secure || !withinRpId(parsed.hostname, rpId)) {
      throw new ConfigError("WEBAUTHN_ORIGINS", `${JSON.stringify(origin)} must be an https origin (http on localhost only) on ${rpId} or a subdomain of it`);
    }
  }
  return Object.freeze({ rpId, origins: Object.freeze(origins), challengeTtlS: parseInteger("PASSKEY_CHALLENGE_TTL_S", env.PASSKEY_CHALLENGE_TTL_S, 300, 30, 600) });
}

/**
 * Branding and languages: the deployment's look (README "Branding and languages"); each
 * client may override it field by field through the operator API.
 */
export function parseBranding(env: Partial<Env>): Brand {
  const text = (variable: string, raw: string | undefined, max: number, rule?: RegExp, why?: string): string | undefined => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (value.length > max || (rule && !rule.test(value))) throw new ConfigError(variable, why ?? `must be at most ${max} characters`);
    return value;
  };
  const color = "must be a hex colour #rrggbb";
  return brandOf({
    display_name: text("BRAND_NAME", env.BRAND_NAME, MAX_DISPLAY_NAME),
    logo: text("BRAND_LOGO", env.BRAND_LOGO, 80, LOGO_NAME, "must be the name of an uploaded logo (<sha256>.png|jpg|webp, from POST /admin/branding/logos)"),
    primary_color: text("BRAND_PRIMARY_COLOR", env.BRAND_PRIMARY_COLOR, 7, HEX_COLOR, color),
    background_color: text("BRAND_BACKGROUND_COLOR", env.BRAND_BACKGROUND_COLOR, 7, HEX_COLOR, color),
    text: { en: text("BRAND_TEXT", env.BRAND_TEXT, MAX_TEXT), ja: text("BRAND_TEXT_JA", env.BRAND_TEXT_JA, MAX_TEXT) },
  });
}
