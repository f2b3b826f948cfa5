import { formatScope, storedScope } from "../../../oauth/scopes";
import { Hono } from "hono/tiny";
import { randomToken, sha256 } from "../../../oauth/secrets";
import { forgetClient } from "../../clients/registry";
import { getClientRow, listClientRows, type ClientRow } from "../../d1/clients";
import { clientView } from "../../d1/client-view";
import { deleteClientRow, insertClientRowIfAbsent, setClientSecretHash, updateClientRow, type ClientSettings, type SecretChange } from "../../d1/client-writes";
import { OAuthError, conflict, invalidRequest, notFound } from "../../errors";
import type { AppEnv } from "../../types";
import { readJson } from "./body";
import { pairwiseUnavailable } from "../../clients/subject";
import { CLIENT_ID } from "../../clients/auth-methods";
import { authMethodOf, clientBody, type ClientBody } from "./client-schema";
import { protectionColumns, protectionKeyProblem } from "../../clients/response-protection";
// Admin console
import { CONSOLE_CLIENT_ID } from "../../console/client";
import { noSecretKey, syncSealedSecret } from "../../clients/sealed-secrets";

export function clientIdParam(raw: string): string {
  if (!CLIENT_ID.test(raw)) throw invalidRequest("client_id must be 1-128 characters of A-Z a-z 0-9 . _ ~ -");
  return raw;
}

/** The registration a body describes, without the secret and timestamps. */
function registration(clientId: string, body: ClientBody, now: number): ClientSettings & { clientId: string } {
  return {
    clientId,
    clientName: body.client_name,
    clientType: body.client_type,
    redirectUris: [...new Set(body.redirect_uris)],
    postLogoutRedirectUris: [...new Set(body.post_logout_redirect_uris)],
    grantTypes: [...new Set(body.grant_types)],
    scope: formatScope(storedScope(body.scope)),
    tokenEndpointAuthMethod: authMethodOf(body),
    idTokenSignedResponseAlg: body.id_token_signed_response_alg,
    offlineSurvivesLogout: body.offline_survives_logout,
    refreshGraceS: body.refresh_grace_s,
    tokenExchangeAudiences: [...new Set(body.token_exchange_audiences)],
    backchannelLogoutUri: body.backchannel_logout_uri,
    backchannelLogoutSessionRequired: body.backchannel_logout_session_required,
    frontchannelLogoutUri: body.frontchannel_logout_uri,
    frontchannelLogoutSessionRequired: body.frontchannel_logout_session_required,
    jwks: body.jwks as ClientRow["jwks"],
    jwksUri: body.jwks_uri,
    subjectType: body.subject_type,
    requirePushedAuthorizationRequests: body.require_pushed_authorization_requests,
    authorizationSignedResponseAlg: body.authorization_signed_response_alg,
    responseTypes: [...new Set(body.response_types)],
    tokenEndpointAuthSigningAlg: body.token_endpoint_auth_signing_alg,
    requestObjectSigningAlg: body.request_object_signing_alg,
    requireSignedRequestObject: body.require_signed_request_object,
    securityProfile: body.security_profile,
    updatedAt: now,
    dpopBoundAccessTokens: body.dpop_bound_access_tokens,
    backchannelTokenDeliveryMode: body.backchannel_token_delivery_mode,
    backchannelClientNotificationEndpoint: body.backchannel_client_notification_endpoint,
    backchannelUserCodeParameter: body.backchannel_user_code_parameter,
    ...protectionColumns(body),
    mfaRequired: body.mfa_required,
  };
}

/** An operator's client: no registration access token, so /register/:id cannot touch it. */
const OPERATOR_REGISTERED = { metadata: {}, registrationTokenHash: null, initialTokenId: null, registrationPolicy: null } as const;

// A client deleted between our failed insert and our update (or created between
// update and insert) just means another round; more than this is not a real race.
const PUT_ATTEMPTS = 3;

interface SecretPlan {
  /** What a newly created client stores. */
  hash: string | null;
  /** What an update does to the stored secret. */
  change: SecretChange;
  /** A secret we generated, shown only if it is the one that ends up stored. */
  generated?: string;
}

async function secretPlan(body: ClientBody): Promise<SecretPlan> {
  if (body.client_type === "public") return { hash: null, change: { clear: true } };
  // A private_key_jwt client authenticates with its keys: a secret would be a second way in.
  if (authMethodOf(body) === "private_key_jwt") return { hash: null, change: { clear: true } };
  if (body.client_secret !== undefined) {
    const hash = await sha256(body.client_secret);
    return { hash, change: { set: hash } };
  }
  const generated = randomToken();
  const hash = await sha256(generated);
  return { hash, change: { keep: hash }, generated };
}

/**
 * PUT creates or replaces a registration. Creation is one INSERT ... ON CONFLICT DO
 * NOTHING: of concurrent creators exactly one wins (201, and the generated secret if
 * any); the others replace the registration but keep the winner's secret (200, no
 * secret), so every secret ever shown works.
 */
async function putClient(d1: D1Database, clientId: string, body: ClientBody) {
  const plan = await secretPlan(body);
  for (let attempt = 0; attempt < PUT_ATTEMPTS; attempt++) {
    const now = Date.now();
    const fields = registration(clientId, body, now);
    const row: ClientRow = { ...fields, secretHash: plan.hash, createdAt: now, ...OPERATOR_REGISTERED };
    if (await insertClientRowIfAbsent(d1, row)) return { status: 201 as const, row, secret: plan.generated };
    const stored = await updateClientRow(d1, fields, plan.change);
    if (stored) {
      // Only a client that had no secret (public until now) takes the generated one.
      const ours = plan.generated !== undefined && stored.secretHash === plan.hash;
      return { status: 200 as const, row: stored, secret: ours ? plan.generated : undefined };
    }
  }
  throw conflict("the client was deleted and created concurrently; try again");
}

/**
 * Operator API for clients. Secrets are stored as SHA-256 only and shown once:
 * when generated on creation or rotation. (A fast hash is sound for generated
 * 256-bit secrets; operator-chosen secrets should be just as random.) Every change
 * drops the client from this isolate's registry cache, so it applies at once here.
 */
export const adminClients = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ clients: (await listClientRows(c.env.DB)).map(clientView) }))
  .get("/:id", async (c) => {
    const row = await getClientRow(c.env.DB, clientIdParam(c.req.param("id")));
    if (!row) throw notFound("no such client");
    return c.json({ client: clientView(row) });
  })
  .put("/:id", async (c) => {
    const clientId = clientIdParam(c.req.param("id"));
    // Admin console: its client is built in (console/client.ts); a stored one would never be used.
    if (clientId === CONSOLE_CLIENT_ID) throw invalidRequest(`${CONSOLE_CLIENT_ID} is the built-in admin console client; choose another client_id`);
    const body = await readJson(c, clientBody);
    const noPairwise = pairwiseUnavailable(c.var.config, body.subject_type);
    if (noPairwise) throw new OAuthError("invalid_request", 400, `subject_type: ${noPairwise}`);
    // The encryption keys must import (a bad modulus or curve point) before anything is stored.
    const keyProblem = await protectionKeyProblem(body, { jwks: body.jwks as ClientRow["jwks"], jwks_uri: body.jwks_uri });
    if (keyProblem) throw invalidRequest(`${keyProblem.field}: ${keyProblem.why}`);
    const method = authMethodOf(body);
    if (method === "client_secret_jwt" && c.var.config.clientSecretKey === null) throw noSecretKey();
    const { status, row, secret } = await putClient(c.env.DB, clientId, body).finally(() => forgetClient(clientId));
    // client_secret_jwt: the secret that is now stored, sealed (a kept secret stays sealed as it was); any other method: none kept.
    await syncSealedSecret(c.env, c.var.config, clientId, method, body.client_secret ?? secret);
    return c.json({ client: clientView(row), ...(secret === undefined ? {} : { client_secret: secret }) }, status);
  })
  .post("/:id/rotate-secret", async (c) => {
    const clientId = clientIdParam(c.req.param("id"));
    const row = await getClientRow(c.env.DB, clientId);
    if (!row) throw notFound("no such client");
    if (row.clientType !== "confidential") throw new OAuthError("invalid_request", 400, "public clients have no secret");
    if (row.tokenEndpointAuthMethod === "client_secret_jwt" && c.var.config.clientSecretKey === null) throw noSecretKey();
    if (row.tokenEndpointAuthMethod === "private_key_jwt") throw new OAuthError("invalid_request", 400, "private_key_jwt clients have no secret; rotate their keys (jwks or jwks_uri)");
    const secret = randomToken();
    // Deleted or made public since we read it: never hand out a secret that is not stored.
    if (!(await setClientSecretHash(c.env.DB, clientId, await sha256(secret)))) {
      throw conflict("the client was changed or deleted meanwhile; try again");
    }
    forgetClient(clientId);
    await syncSealedSecret(c.env, c.var.config, clientId, row.tokenEndpointAuthMethod, secret);
    return c.json({ client_id: clientId, client_secret: secret });
  })
  .delete("/:id", async (c) => {
    const clientId = clientIdParam(c.req.param("id"));
    const deleted = await deleteClientRow(c.env.DB, clientId);
    forgetClient(clientId);
    await syncSealedSecret(c.env, c.var.config, clientId, "deleted", undefined);
    if (!deleted) throw notFound("no such client");
    return c.body(null, 204);
  });
