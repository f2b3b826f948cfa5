import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { browserCors } from "../http/cors";
import { CIBA, DEVICE_CODE, TOKEN_EXCHANGE } from "../../oauth/grant-types";
import { authenticateCaller } from "../clients/authenticate";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidRequest } from "../errors";
import { formParams, type Params } from "../http/params";
import { clientCredentialsGrant } from "../tokens/client-credentials-grant";
import { authorizationCodeGrant } from "../tokens/code-grant";
import { refreshTokenGrant } from "../tokens/refresh-grant";
import type { AppEnv } from "../types";
import { JWT_BEARER } from "../../oauth/grant-types";
import { noStore } from "../no-store";
import type { AcceptedProof } from "../dpop/proof";
import { tokenProof } from "../dpop/token";
import { limitByAddress } from "../rate-limit/middleware";
import { TOKEN_IP } from "../rate-limit/rules";
import { prepareIdTokenEncryption } from "../clients/encryption-key";

/** Grants that issue ID tokens: an encrypting client's key is read before their shard call (OIDC Core §10.2). */
const ID_TOKEN_GRANTS: ReadonlySet<string> = new Set(["authorization_code", "refresh_token", DEVICE_CODE, CIBA]);

/** One handler per grant type, each in its own module; the answer is the JSON token response. */
type GrantHandler = (c: Context<AppEnv>, client: RegisteredClient, params: Params, dpop: AcceptedProof | null) => Promise<object>;

/** A grant whose module loads with its first request (../lazy.ts). */
const onFirstUse = (load: () => Promise<GrantHandler>): GrantHandler => async (...args) => (await load())(...args);

const GRANTS: Readonly<Record<string, GrantHandler>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  [TOKEN_EXCHANGE]: onFirstUse(async () => (await import("../tokens/token-exchange-grant")).tokenExchangeGrant),
  [DEVICE_CODE]: onFirstUse(async () => (await import("../tokens/device-grant")).deviceCodeGrant),
  [CIBA]: onFirstUse(async () => (await import("../tokens/ciba-grant")).cibaGrant),
  // RFC 7523 §2.1: an assertion from a trusted issuer.
  [JWT_BEARER]: onFirstUse(async () => (await import("../tokens/jwt-bearer-grant")).jwtBearerGrant),
};

/** The token endpoint (RFC 6749 §3.2): form body, client authentication; no-store responses (§5.1). */
async function token(c: Context<AppEnv>): Promise<Response> {
  const params = await formParams(c);
  const grantType = params.get("grant_type");
  if (grantType === undefined) throw invalidRequest("grant_type is missing");
  const client = await authenticateCaller(c, params);
  // DPoP (RFC 9449 §5): checked before any grant runs, so a bad proof spends nothing.
  const dpop = await tokenProof(c, client);
  const handler = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
  if (!handler) throw new OAuthError("unsupported_grant_type", 400, `grant_type ${grantType.slice(0, 64)} is not supported`);
  if (ID_TOKEN_GRANTS.has(grantType)) await prepareIdTokenEncryption(c.env, client);
  const body = await handler(c, client, params, dpop);
  return c.json(body);
}

export const tokenEndpoint = new Hono<AppEnv>()
  // Browser apps (public clients with PKCE) call /token from their own origin; no cookies are involved.
  .use("/token", browserCors(["POST"]))
  .use("/token", noStore({ pragma: true }))
  // Before the body is read and the client authenticated (the per-client limit follows authentication).
  .use("/token", limitByAddress(TOKEN_IP))
  .post("/token", token);
