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
