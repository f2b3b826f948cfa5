/**
 * Roles, groups and permissions at token issuance (RBAC), with attribute conditions on
 * roles (ABAC). Pure: the router passes the cached definitions, the user's memberships
 * (read by the same shard call that issues the token), the client and the time.
 * Conditions are data, never code: a small tree of attribute tests and time windows.
 */

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { attribute: string; equals?: string | undefined; in?: string[] | undefined; ends_with?: string | undefined; present?: boolean | undefined }
  | { time: { after?: string | undefined; before?: string | undefined; hours?: [number, number] | undefined; weekdays?: number[] | undefined } };

// A condition as an operator sends it is checked by ./access-condition.ts (parseCondition).

/** What a condition is evaluated against: the user's attributes plus email, email_domain and client_id. */
export interface PolicyContext {
  attributes: Readonly<Record<string, string>>;
  now: number;
}

function inWindow(w: Extract<Condition, { time: unknown }>["time"], now: number): boolean {
  if (w.after !== undefined && now < Date.parse(w.after)) return false;
  if (w.before !== undefined && now >= Date.parse(w.before)) return false;
  const date = new Date(now);
  if (w.weekdays !== undefined && !w.weekdays.includes(date.getUTCDay())) return false;
  if (w.hours !== undefined) {
    const [from, to] = w.hours;
    const h = date.getUTCHours();
    // A window like [22, 6] runs over midnight.
    if (from <= to ? h < from || h >= to : h < from && h >= to) return false;
  }
  return true;
}

/** Whether `condition` holds (unknown attributes are absent: every test of one but `present: false` fails). */
export function evaluate(condition: Condition, ctx: PolicyContext): boolean {
  if ("all" in condition) return condition.all.every((c) => evaluate(c, ctx));
  if ("any" in condition) return condition.any.some((c) => evaluate(c, ctx));
  if ("not" in condition) return !evaluate(condition.not, ctx);
  if ("time" in condition) return inWindow(condition.time, ctx.now);
  const value = Object.hasOwn(ctx.attributes, condition.attribute) ? ctx.attributes[condition.attribute] : undefined;
  if (condition.present !== undefined) return (value !== undefined && value !== "") === condition.present;
  if (value === undefined) return false;
  if (condition.equals !== undefined) return value.toLowerCase() === condition.equals.toLowerCase();
  if (condition.in !== undefined) return condition.in.some((v) => v.toLowerCase() === value.toLowerCase());
  return value.toLowerCase().endsWith(condition.ends_with!.toLowerCase());
}

export interface RoleDefinition {
  name: string;
  clientId: string | null;
  permissions: readonly string[];
  condition: Condition | null;
}

export interface GroupDefinition {
  id: string;
  displayName: string;
  roles: readonly string[];
}

/** The names of the claims this feature can put into tokens, and which scope releases each. */
export const ACCESS_CLAIMS = ["roles", "groups", "permissions"] as const;
export type AccessClaim = (typeof ACCESS_CLAIMS)[number];
export const SCOPE_OF_CLAIM: Readonly<Record<AccessClaim, string>> = { roles: "roles", permissions: "roles", groups: "groups" };

/** A user's memberships as the shard stores them. */
export interface UserAccess {
  roles: readonly string[];
  groups: readonly string[];
  attributes: Readonly<Record<string, string>>;
}

export interface Granted {
  roles: string[];
  groups: string[];
  permissions: string[];
}

/**
 * What the user holds for `clientId` now: direct roles and the roles of the user's groups,
 * minus roles of other clients and roles whose condition fails; the permissions of what
 * remains; the display names of the user's groups. Sorted, so tokens are stable.
 */
export function grantedAccess(
  definitions: { roles: ReadonlyMap<string, RoleDefinition>; groups: ReadonlyMap<string, GroupDefinition> },
  access: UserAccess,
  subject: { email: string; clientId: string; now: number },
): Granted {
  const groups = access.groups.map((id) => definitions.groups.get(id)).filter((g): g is GroupDefinition => g !== undefined);
  const candidates = new Set([...access.roles, ...groups.flatMap((g) => g.roles)]);
  const ctx: PolicyContext = {
    attributes: { ...access.attributes, email: subject.email, email_domain: subject.email.slice(subject.email.lastIndexOf("@") + 1), client_id: subject.clientId },
    now: subject.now,
  };
  const roles: RoleDefinition[] = [];
  for (const name of candidates) {
    const role = definitions.roles.get(name);
    if (!role || (role.clientId !== null && role.clientId !== subject.clientId)) continue;
    if (role.condition !== null && !evaluate(role.condition, ctx)) continue;
    roles.push(role);
  }
  return {
    roles: roles.map((r) => r.name).sort(),
    groups: groups.map((g) => g.displayName).sort(),
    permissions: [...new Set(roles.flatMap((r) => r.permissions))].sort(),
  };
}

/** The claims of `names` that the granted scope releases (roles/permissions: `roles`; groups: `groups`). */
export function accessClaims(granted: Granted, names: readonly AccessClaim[], scope: readonly string[]): Partial<Granted> {
  const claims: Partial<Granted> = {};
  for (const name of names) if (scope.includes(SCOPE_OF_CLAIM[name])) claims[name] = granted[name];
  return claims;
}
