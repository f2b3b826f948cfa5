import type { LdapConfig } from "../../config";
import type { SearchEntry } from "../../ldap/messages";
import { normalizeEmail } from "../users/email";

/** A directory user as the provider keeps it: the profile, its groups and the roles they map to. */
export interface DirectoryProfile {
  dn: string;
  email: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  disabled: boolean;
  groups: string[];
  roles: string[];
}

/** AD's userAccountControl flag ACCOUNTDISABLE (MS-ADTS §2.2.16). */
const ACCOUNTDISABLE = 0x2;

/** The attributes a user search asks for. */
export function userAttributes(config: LdapConfig): string[] {
  const a = config.attributes;
  return [a.email, a.name, a.givenName, a.familyName, a.disabled];
}

function first(entry: SearchEntry, attribute: string): string | null {
  return entry.attributes[attribute.toLowerCase()]?.[0] ?? null;
}

/** Disabled: AD's userAccountControl with ACCOUNTDISABLE set, or any other configured attribute present (e.g. pwdAccountLockedTime). */
export function isDisabled(config: LdapConfig, entry: SearchEntry): boolean {
  const value = first(entry, config.attributes.disabled);
  if (value === null) return false;
  if (config.attributes.disabled.toLowerCase() === "useraccountcontrol") return (Number(value) & ACCOUNTDISABLE) !== 0;
  return true;
}

/** Roles of the groups LDAP_GROUP_ROLES names (DNs compared case-insensitively), sorted and unique. */
export function rolesOf(config: LdapConfig, groups: string[]): string[] {
  const roles = new Set<string>();
  for (const group of groups) {
    const role = config.groupRoles.get(group.toLowerCase());
    if (role) roles.add(role);
  }
  return [...roles].sort();
}

/** The profile of an entry; null when it has no usable email (a local account needs one). */
export function profileOf(config: LdapConfig, entry: SearchEntry, groups: string[]): DirectoryProfile | null {
  const email = normalizeEmail(first(entry, config.attributes.email) ?? "");
  if (!email) return null;
  const sorted = [...groups].sort();
  return {
    dn: entry.dn,
    email,
    name: first(entry, config.attributes.name),
    givenName: first(entry, config.attributes.givenName),
    familyName: first(entry, config.attributes.familyName),
    disabled: isDisabled(config, entry),
    groups: sorted,
    roles: rolesOf(config, sorted),
  };
}

/** RFC 4514 §2.4: a typed name placed in a DN template is escaped, so it stays one RDN value. */
export function escapeDnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=\u0000]/g, (ch) => `\\${ch === "\u0000" ? "00" : ch}`)
    .replace(/^([ #])/, "\\$1")
    .replace(/ $/, "\\ ");
}
