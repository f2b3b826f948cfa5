import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { mintArtifact } from "../../oauth/artifacts";
import { DEVICE_CODE } from "../../oauth/grant-types";
import { parseScope, SCOPES_SUPPORTED } from "../../oauth/scopes";
import { sha256 } from "../../oauth/secrets";
import { bucketOfUserCode, displayUserCode, newUserCode } from "../../oauth/user-code";
import { authenticateCaller } from "../clients/authenticate";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError } from "../errors";
import { browserCors } from "../http/cors";
import { formParams } from "../http/params";
import { noStore } from "../no-store";
import { limitByAddress } from "../rate-limit/middleware";
import { TOKEN_IP } from "../rate-limit/rules";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";

/** RFC 8628 §3.2: the minimum seconds between polls we ask of a device. */
export const DEVICE_POLL_INTERVAL_S = 5;
/** A fresh user code collides with a pending one about never (2.56e10 codes); one retry covers it. */
const USER_CODE_TRIES = 3;
const SUPPORTED = new Set(SCOPES_SUPPORTED);

const invalidScope = (description: string) => new OAuthError("invalid_scope", 400, description);

/** RFC 8628 §3.1: scope is optional; without it the device asks for `openid`. */
function deviceScope(client: RegisteredClient, raw: string | undefined): string {
  const scopes = parseScope(raw ?? "openid");
  if (!scopes || scopes.length === 0) throw invalidScope("scope must be space-separated scope tokens (RFC 6749 §3.3)");
  const unknown = scopes.filter((s) => !SUPPORTED.has(s));
  if (unknown.length) throw invalidScope(`unsupported scope: ${unknown.join(" ").slice(0, 200)}`);
  const notAllowed = scopes.filter((s) => !client.scopes.has(s));
  if (notAllowed.length) throw invalidScope(`scope not allowed for this client: ${notAllowed.join(" ").slice(0, 200)}`);
  return scopes.join(" ");
}

/**
 * POST /device_authorization (RFC 8628 §3.1, §3.2): the client authenticates as at
 * /token; one shard call stores the request in the bucket its user code hashes to,
 * and the device code carries that bucket so each poll routes without a lookup.
 */
async function deviceAuthorization(c: Context<AppEnv>): Promise<Response> {
  const config = c.var.config;
  const params = await formParams(c);
  const client = await authenticateCaller(c, params);
  if (!client.grantTypes.has(DEVICE_CODE)) throw new OAuthError("unauthorized_client", 400, `this client may not use ${DEVICE_CODE}`);
  const scope = deviceScope(client, params.get("scope"));
  for (let attempt = 1; ; attempt++) {
    const userCode = newUserCode();
    const bucket = bucketOfUserCode(userCode);
    const deviceCode = mintArtifact("d", bucket);
    const input = {
      bucket,
      deviceCodeHash: await sha256(deviceCode),
      userCodeHash: await sha256(userCode),
      clientId: client.clientId,
      scope,
      ttlS: config.deviceCodeTtlS,
      intervalS: DEVICE_POLL_INTERVAL_S,
    };
    const result = await callShard(c.env, config, bucket, (shard) => shard.startDevice(input));
    if (!result.ok && result.error === "conflict" && attempt < USER_CODE_TRIES) continue;
    if (!result.ok) throw shardFailure(result, "change", "the device authorization");
    const shown = displayUserCode(userCode);
    const verificationUri = `${config.issuer}/device`;
    return c.json({
      device_code: deviceCode,
      user_code: shown,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${shown}`,
      expires_in: config.deviceCodeTtlS,
      interval: DEVICE_POLL_INTERVAL_S,
    });
  }
}

export const deviceAuthorizationEndpoint = new Hono<AppEnv>()
  .use("/device_authorization", browserCors(["POST"]))
  .use("/device_authorization", noStore({ pragma: true }))
  .use("/device_authorization", limitByAddress(TOKEN_IP))
  .post("/device_authorization", deviceAuthorization);
