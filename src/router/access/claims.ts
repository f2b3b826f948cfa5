import type { Env } from "../../env";
import type { Config } from "../../config";
import type { UserView } from "../../actors/user-shard/api";
import { accessClaims, grantedAccess, type Granted } from "../../oauth/access-policy";
import { storedScope } from "../../oauth/scopes";
import { accessDefinitions } from "./definitions";

export interface AccessClaimSet {
  idToken: Partial<Granted>;
  accessToken: Partial<Granted>;
  userinfo: Partial<Granted>;
}

const NONE: AccessClaimSet = { idToken: {}, accessToken: {}, userinfo: {} };

/**
 * The roles/groups/permissions claims of one issuance, as the client is configured and
 * the scope releases them. The user's memberships came with the shard call that issued
 * the token (UserView.access); definitions come from the isolate cache — no extra call.
 */
export async function accessClaimsFor(env: Env, config: Config, clientId: string, user: UserView, scope: string): Promise<AccessClaimSet> {
  const definitions = await accessDefinitions(env, config);
  const settings = definitions.claims.get(clientId);
  if (settings === undefined) return NONE;
  const access = user.access ?? { roles: [], groups: [], attributes: {} };
  const granted = grantedAccess(definitions, access, { email: user.email, clientId, now: Date.now() });
  const scopes = storedScope(scope);
  return {
    idToken: accessClaims(granted, settings.idToken, scopes),
    accessToken: accessClaims(granted, settings.accessToken, scopes),
    userinfo: accessClaims(granted, settings.userinfo, scopes),
  };
}

/**
 * The roles and groups attributes of a SAML assertion (multi-valued; empty ones left out):
 * the same evaluation as a token's, with the SP's entityID as the client id, so a role
 * bound to an OIDC client is not released to an SP, and an ABAC condition on client_id
 * can name the SP. Memberships came with the shard's samlSubject read (UserView.access).
 */
export async function samlAccessAttributes(env: Env, config: Config, entityId: string, user: UserView): Promise<Record<string, readonly string[]>> {
  if (user.access === undefined || user.access === null) return {};
  const definitions = await accessDefinitions(env, config);
  const granted = grantedAccess(definitions, user.access, { email: user.email, clientId: entityId, now: Date.now() });
  const out: Record<string, readonly string[]> = {};
  if (granted.roles.length > 0) out.roles = granted.roles;
  if (granted.groups.length > 0) out.groups = granted.groups;
  return out;
}
