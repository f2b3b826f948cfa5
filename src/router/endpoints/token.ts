import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { browserCors } from "../http/cors";
import { DEVICE_CODE, TOKEN_EXCHANGE } from "../../oauth/grant-types";
import { authenticateCaller } from "../clients/authenticate";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidRequest } from "../errors";
import { formParams, type Params } from "../http/params";
import { clientCredentialsGrant } from "../tokens/client-credentials-grant";
import { authorizationCodeGrant } from "../tokens/code-grant";
import { deviceCodeGrant } from "../tokens/device-grant";
import { refreshTokenGrant } from "../tokens/refresh-grant";
import { tokenExchangeGrant } from "../tokens/token-exchange-grant";
import type { AppEnv } from "../types";
import { JWT_BEARER } from "../../oauth/grant-types";
import { jwtBearerGrant } from "../tokens/jwt-bearer-grant";
import { noStore } from "../no-store";
import { limitByAddress } from "../rate-limit/middleware";
import { TOKEN_IP } from "../rate-limit/rules";

/** One handler per grant type, each in its own module; the answer is the JSON token response. */
type GrantHandler = (c: Context<AppEnv>, client: RegisteredClient, params: Params) => Promise<object>;
const GRANTS: Readonly<Record<string, GrantHandler>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  [TOKEN_EXCHANGE]: tokenExchangeGrant,
  [DEVICE_CODE]: deviceCodeGrant,
  // RFC 7523 §2.1: an assertion from a trusted issuer.
  [JWT_BEARER]: jwtBearerGrant,
};

/** The token endpoint (RFC 6749 §3.2): form body, client authentication; no-store responses (§5.1). */
async function token(c: Context<AppEnv>): Promise<Response> {
  const params = await formParams(c);
  const grantType = params.get("grant_type");
  if (grantType === undefined) throw invalidRequest("grant_type is missing");
  const client = await authenticateCaller(c, params);
  const handler = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
  if (!handler) throw new OAuthError("unsupported_grant_type", 400, `grant_type ${grantType.slice(0, 64)} is not supported`);
  const body = await handler(c, client, params);
  return c.json(body);
}

export const tokenEndpoint = new Hono<AppEnv>()
  // Browser apps (public clients with PKCE) call /token from their own origin; no cookies are involved.
  .use("/token", browserCors(["POST"]))
  .use("/token", noStore({ pragma: true }))
  // Before the body is read and the client authenticated (the per-client limit follows authentication).
  .use("/token", limitByAddress(TOKEN_IP))
  .post("/token", token);
