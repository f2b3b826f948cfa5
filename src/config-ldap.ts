import type { Env } from "./env";
import { ConfigError, LOOPBACK, parseInteger, parseSwitch } from "./config-parse";

/* LDAP / Active Directory sign-in and sync (README "LDAP / Active Directory"). */

/** Which directory attribute feeds which piece of the local profile. */
export interface LdapAttributes {
  readonly email: string;
  readonly name: string;
  readonly givenName: string;
  readonly familyName: string;
  /** Present (or, for AD's userAccountControl, with bit 0x2 ACCOUNTDISABLE set) = the account is disabled. */
  readonly disabled: string;
}

export interface LdapConfig {
  /** ldap://host:port or ldaps://host:port */
  readonly url: string;
  /** StartTLS before the first bind (ldap:// only); on by default except for loopback hosts. */
  readonly startTls: boolean;
  /** Search-then-bind: the service account that finds the user's entry; null with a DN template. */
  readonly bindDn: string | null;
  readonly bindPassword: string | null;
  /** Direct bind: `uid={username},ou=people,dc=example,dc=org`; null for search-then-bind. */
  readonly userDnTemplate: string | null;
  readonly userBase: string;
  /** RFC 4515 filter with {username}, replaced by the escaped typed name. */
  readonly userFilter: string;
  /** Where groups live (groupOfNames / AD group with `member`); null: groups are not read. */
  readonly groupBase: string | null;
  readonly groupFilter: string;
  readonly attributes: LdapAttributes;
  /** Group DN (lower-cased) → role name. */
  readonly groupRoles: ReadonlyMap<string, string>;
  /** Every directory exchange (connect, bind, one search page) gives up after this long. */
  readonly timeoutMs: number;
  /** The scheduled sync of users and groups (the cron trigger); the operator trigger works either way. */
  readonly sync: boolean;
  readonly pageSize: number;
}

const DEFAULT_ATTRIBUTES: LdapAttributes = { email: "mail", name: "cn", givenName: "givenName", familyName: "sn", disabled: "pwdAccountLockedTime" };
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

function parseUrl(raw: string): { url: string; loopback: boolean } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError("LDAP_URL", `is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "ldap:" && url.protocol !== "ldaps:") throw new ConfigError("LDAP_URL", "must be ldap://host:port or ldaps://host:port");
  if (!url.hostname) throw new ConfigError("LDAP_URL", "must name a host");
  return { url: `${url.protocol}//${url.host}`, loopback: LOOPBACK.has(url.hostname) };
}

function parseJsonObject(variable: string, raw: string | undefined): Record<string, unknown> {
  if (raw === undefined || raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(variable, "is not JSON (expected an object)");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ConfigError(variable, "must be a JSON object");
  return parsed as Record<string, unknown>;
}

function parseAttributes(raw: string | undefined): LdapAttributes {
  const given = parseJsonObject("LDAP_ATTRIBUTES", raw);
  const keys: Record<string, keyof LdapAttributes> = { email: "email", name: "name", given_name: "givenName", family_name: "familyName", disabled: "disabled" };
  const out: Record<string, string> = { ...DEFAULT_ATTRIBUTES };
  for (const [key, value] of Object.entries(given)) {
    const field = keys[key];
    if (!field) throw new ConfigError("LDAP_ATTRIBUTES", `unknown key ${JSON.stringify(key)} (expected ${Object.keys(keys).join(", ")})`);
    if (typeof value !== "string" || !ATTRIBUTE_NAME.test(value)) throw new ConfigError("LDAP_ATTRIBUTES", `${key} must be an attribute name`);
    out[field] = value;
  }
  return Object.freeze(out as unknown as LdapAttributes);
}

function parseGroupRoles(raw: string | undefined): ReadonlyMap<string, string> {
  const given = parseJsonObject("LDAP_GROUP_ROLES", raw);
  const roles = new Map<string, string>();
  for (const [dn, role] of Object.entries(given)) {
    if (typeof role !== "string" || !/^[A-Za-z0-9_.:-]{1,64}$/.test(role)) throw new ConfigError("LDAP_GROUP_ROLES", `the role of ${dn} must be a name of letters, digits and _.:-`);
    roles.set(dn.toLowerCase(), role);
  }
  return roles;
}

function required(variable: string, raw: string | undefined): string {
  if (raw === undefined || raw.trim() === "") throw new ConfigError(variable, "is required with LDAP_URL");
  return raw.trim();
}

/** LDAP_URL unset: directory sign-in and sync are off. */
export function parseLdap(env: Partial<Env>): LdapConfig | null {
  if (env.LDAP_URL === undefined || env.LDAP_URL.trim() === "") return null;
  const { url, loopback } = parseUrl(env.LDAP_URL);
  const template = env.LDAP_USER_DN_TEMPLATE?.trim() || null;
  if (template !== null && !template.includes("{username}")) throw new ConfigError("LDAP_USER_DN_TEMPLATE", "must contain {username}");
  const bindDn = env.LDAP_BIND_DN?.trim() || null;
  if (template === null && bindDn === null) throw new ConfigError("LDAP_BIND_DN", "is required with LDAP_URL unless LDAP_USER_DN_TEMPLATE is set (search-then-bind needs a service account)");
  if (bindDn !== null && !env.LDAP_BIND_PASSWORD) throw new ConfigError("LDAP_BIND_PASSWORD", "is required with LDAP_BIND_DN (a Worker secret)");
  const userFilter = env.LDAP_USER_FILTER?.trim() || "(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))";
  if (!userFilter.includes("{username}")) throw new ConfigError("LDAP_USER_FILTER", "must contain {username}");
  return Object.freeze({
    url,
    startTls: url.startsWith("ldap:") && parseSwitch("LDAP_STARTTLS", env.LDAP_STARTTLS, !loopback),
    bindDn,
    bindPassword: bindDn === null ? null : env.LDAP_BIND_PASSWORD!,
    userDnTemplate: template,
    userBase: required("LDAP_USER_BASE", env.LDAP_USER_BASE),
    userFilter,
    groupBase: env.LDAP_GROUP_BASE?.trim() || null,
    groupFilter: env.LDAP_GROUP_FILTER?.trim() || "(|(objectClass=groupOfNames)(objectClass=group))",
    attributes: parseAttributes(env.LDAP_ATTRIBUTES),
    groupRoles: parseGroupRoles(env.LDAP_GROUP_ROLES),
    timeoutMs: parseInteger("LDAP_TIMEOUT_MS", env.LDAP_TIMEOUT_MS, 3_000, 100, 30_000),
    sync: parseSwitch("LDAP_SYNC", env.LDAP_SYNC, true),
    pageSize: parseInteger("LDAP_PAGE_SIZE", env.LDAP_PAGE_SIZE, 500, 1, 5_000),
  });
}
