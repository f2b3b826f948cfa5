import type { LdapConfig } from "../../config";
import { BerError } from "../../ldap/ber";
import { LdapUnavailable, openLdap, type LdapConnection } from "../../ldap/client";
import { escapeFilterValue, fillFilter } from "../../ldap/filter";
import { RESULT, type SearchEntry } from "../../ldap/messages";
import { escapeDnValue, profileOf, userAttributes, type DirectoryProfile } from "./profile";

/**
 * What the provider asks the directory: a person's password (search-then-bind with the
 * service account, or a direct bind to a DN template) and, for the sync, every user and
 * group. Each call opens its own connection and closes it: sign-ins are rare next to
 * token traffic, and a pooled socket cannot outlive the request in Workers anyway.
 */

export type Authentication =
  | { outcome: "ok"; profile: DirectoryProfile }
  | { outcome: "unknown" }
  | { outcome: "wrong_password"; dn: string }
  | { outcome: "disabled"; profile: DirectoryProfile };

export { LdapUnavailable };

const MAX_TYPED_NAME = 256;

async function connected<T>(config: LdapConfig, work: (connection: LdapConnection) => Promise<T>): Promise<T> {
  const connection = await openLdap({ url: config.url, startTls: config.startTls, timeoutMs: config.timeoutMs });
  try {
    return await work(connection);
  } catch (error) {
    // A malformed answer is the directory's fault, and like an outage it must not stop other sign-ins.
    if (error instanceof BerError) throw new LdapUnavailable(`the directory answered malformed BER: ${error.message}`);
    throw error;
  } finally {
    await connection.close();
  }
}

async function bindService(config: LdapConfig, connection: LdapConnection): Promise<void> {
  if (config.bindDn === null) return;
  const result = await connection.bind(config.bindDn, config.bindPassword ?? "");
  if (result.code !== RESULT.success) throw new LdapUnavailable(`the service account's bind was refused (${result.code})`);
}

/** The DNs of the groups `dn` is a direct member of. */
async function groupsOf(config: LdapConfig, connection: LdapConnection, dn: string): Promise<string[]> {
  if (config.groupBase === null) return [];
  const filter = `(&${config.groupFilter}(member=${escapeFilterValue(dn)}))`;
  const groups = await connection.search({ base: config.groupBase, scope: 2, filter, attributes: ["1.1"] });
  return groups.map((g) => g.dn);
}

async function findEntry(config: LdapConfig, connection: LdapConnection, username: string): Promise<SearchEntry | null> {
  if (config.userDnTemplate !== null) {
    const dn = config.userDnTemplate.split("{username}").join(escapeDnValue(username));
    const [entry] = await connection.search({ base: dn, scope: 0, filter: "(objectClass=*)", attributes: userAttributes(config) });
    return entry ?? null;
  }
  const filter = fillFilter(config.userFilter, username);
  const entries = await connection.search({ base: config.userBase, scope: 2, filter, attributes: userAttributes(config), sizeLimit: 2 });
  // Two entries for one typed name: refuse rather than guess which person this is.
  return entries.length === 1 ? entries[0]! : null;
}

/**
 * Checks a typed name and password against the directory. An empty password is refused
 * before any bind: RFC 4513 §5.1.2 makes it an unauthenticated bind, which servers accept.
 */
export async function authenticate(config: LdapConfig, username: string, password: string): Promise<Authentication> {
  if (password === "" || username.trim() === "" || username.length > MAX_TYPED_NAME) return { outcome: "unknown" };
  return connected(config, async (connection) => {
    if (config.userDnTemplate !== null) {
      // Direct bind: the bind itself finds the entry; its attributes are read as the user.
      const dn = config.userDnTemplate.split("{username}").join(escapeDnValue(username.trim()));
      const bound = await connection.bind(dn, password);
      if (bound.code === RESULT.invalidCredentials) return { outcome: "wrong_password", dn };
      if (bound.code !== RESULT.success) throw new LdapUnavailable(`the bind was refused (${bound.code})`);
      const entry = await findEntry(config, connection, username.trim());
      const profile = entry && profileOf(config, entry, await groupsOf(config, connection, entry.dn));
      if (!profile) return { outcome: "unknown" };
      return profile.disabled ? { outcome: "disabled", profile } : { outcome: "ok", profile };
    }
    await bindService(config, connection);
    const entry = await findEntry(config, connection, username.trim());
    const profile = entry && profileOf(config, entry, await groupsOf(config, connection, entry.dn));
    if (!profile) return { outcome: "unknown" };
    if (profile.disabled) return { outcome: "disabled", profile };
    const bound = await connection.bind(profile.dn, password);
    if (bound.code === RESULT.invalidCredentials) return { outcome: "wrong_password", dn: profile.dn };
    if (bound.code !== RESULT.success) throw new LdapUnavailable(`the bind was refused (${bound.code})`);
    return { outcome: "ok", profile };
  });
}

/** Every user the user filter matches, with their groups (one paged search each for users and groups). */
export async function readDirectory(config: LdapConfig): Promise<DirectoryProfile[]> {
  if (config.bindDn === null) throw new LdapUnavailable("the sync needs a service account (LDAP_BIND_DN)");
  return connected(config, async (connection) => {
    await bindService(config, connection);
    const filter = config.userFilter.split("{username}").join("*");
    const users = await connection.search({ base: config.userBase, scope: 2, filter, attributes: userAttributes(config) }, config.pageSize);
    const memberships = new Map<string, string[]>();
    if (config.groupBase !== null) {
      const groups = await connection.search({ base: config.groupBase, scope: 2, filter: config.groupFilter, attributes: ["member"] }, config.pageSize);
      for (const group of groups) {
        for (const member of group.attributes["member"] ?? []) {
          const key = member.toLowerCase();
          memberships.set(key, [...(memberships.get(key) ?? []), group.dn]);
        }
      }
    }
    return users.flatMap((entry) => profileOf(config, entry, memberships.get(entry.dn.toLowerCase()) ?? []) ?? []);
  });
}
