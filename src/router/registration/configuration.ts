import type { Config } from "../../config";
import type { Env } from "../../env";
import { checkSecretJwtAvailable, needsSecret } from "./assertion-metadata";
import { syncSealedSecret } from "../clients/sealed-secrets";
import { deleteSealedSecret } from "../d1/sealed-secrets";
import { randomToken, sha256, timingSafeEqualStrings } from "../../oauth/secrets";
import { forgetClient } from "../clients/registry";
import { getClientRow, type ClientRow } from "../d1/clients";
import type { SecretChange } from "../d1/client-writes";
import { deleteDynamicClient, updateDynamicClient } from "../d1/dynamic-clients";
import { CLIENT_ID } from "../clients/auth-methods";
import { checkRegistrationAccess, NOT_THIS_CLIENTS } from "./access";
import { clientInformation, clientSettings, storedMetadata } from "./client-record";
import { invalidClientMetadata, invalidToken } from "./errors";
import type { Input } from "./fields";
import { parseClientMetadata } from "./metadata";
import { pairwiseUnavailable } from "../clients/subject";
import { checkProtectionKeys } from "./protection";
import { checkPolicy } from "./policy";
import { applySoftwareStatement } from "./software-statement";

/**
 * The client configuration endpoint, /register/:client_id (RFC 7592). Every request
 * proves itself with the client's registration access token; a wrong token, another
 * client's token and a client that does not exist all get the same 401 (§2.1, §2.2,
 * §2.3), so the endpoint tells nobody which client ids exist.
 */

/** Members an update may carry but that the server decides (RFC 7592 §2.2: "MUST ignore"). */
const SERVER_MEMBERS = ["registration_access_token", "registration_client_uri", "client_secret_expires_at", "client_id_issued_at"];

async function authorizedClient(env: Env, clientId: string, authorization: string | null): Promise<{ row: ClientRow; token: string; tokenHash: string }> {
  const row = CLIENT_ID.test(clientId) ? await getClientRow(env.DB, clientId) : null;
  const { token, hash } = await checkRegistrationAccess(row, authorization);
  // checkRegistrationAccess refuses a missing row.
  return { row: row!, token, tokenHash: hash };
}

/** RFC 7592 §2.1: the client's current registration; the token presented stays valid and is returned. */
export async function readClient(env: Env, config: Config, clientId: string, authorization: string | null): Promise<Record<string, unknown>> {
  const { row, token } = await authorizedClient(env, clientId, authorization);
  return clientInformation(row, config, { registrationAccessToken: token });
}

/** RFC 7592 §2.2: `client_id` must be the client's; a `client_secret`, if sent, its current secret. */
async function checkIdentity(row: ClientRow, body: Input): Promise<void> {
  if (body.client_id !== row.clientId) throw invalidClientMetadata("client_id", "must be present and equal to the client's id (RFC 7592 §2.2)");
  const secret = body.client_secret;
  if (secret === undefined) return;
  const matches = typeof secret === "string" && row.secretHash !== null && (await timingSafeEqualStrings(await sha256(secret), row.secretHash));
  if (!matches) throw invalidClientMetadata("client_secret", "does not match the client's current secret (a client cannot choose its own, RFC 7592 §2.2)");
}

/**
 * RFC 7592 §2.2: replaces every member (omitted ones return to their defaults) within
 * the policy the client registered under, and rotates the registration access token —
 * the response carries the new one and the old one stops working. A client that turns
 * confidential gets a secret (shown now, once); one that turns public loses it.
 */
export async function updateClient(env: Env, config: Config, clientId: string, authorization: string | null, body: Input): Promise<Record<string, unknown>> {
  const { row, tokenHash } = await authorizedClient(env, clientId, authorization);
  await checkIdentity(row, body);
  const request = Object.fromEntries(Object.entries(body).filter(([k]) => k !== "client_id" && k !== "client_secret" && !SERVER_MEMBERS.includes(k)));
  const { metadata: requested, statement } = await applySoftwareStatement(request, config.softwareStatementTrust);
  const metadata = parseClientMetadata(requested);
  const noPairwise = pairwiseUnavailable(config, metadata.subject_type);
  if (noPairwise) throw invalidClientMetadata("subject_type", noPairwise);
  if (row.registrationPolicy === null) throw invalidToken(NOT_THIS_CLIENTS, true);
  checkPolicy(metadata, row.registrationPolicy);
  await checkProtectionKeys(metadata);
  checkSecretJwtAvailable(metadata.token_endpoint_auth_method, config);

  const now = Date.now();
  const generated = needsSecret(metadata.token_endpoint_auth_method) ? randomToken() : undefined;
  const secret: SecretChange = generated === undefined ? { clear: true } : { keep: await sha256(generated) };
  const nextToken = randomToken();
  const settings = { clientId, ...clientSettings(metadata, clientId, now), metadata: storedMetadata(metadata, statement) };
  const updated = await updateDynamicClient(env.DB, settings, secret, tokenHash, await sha256(nextToken)).finally(() => forgetClient(clientId));
  // Deleted, or updated with the same token by a request that won the race.
  if (updated === null) throw invalidToken(NOT_THIS_CLIENTS, true);
  const shown = generated !== undefined && "keep" in secret && updated.secretHash === secret.keep ? generated : undefined;
  await syncSealedSecret(env, config, clientId, metadata.token_endpoint_auth_method, shown);
  return clientInformation(updated, config, { clientSecret: shown, registrationAccessToken: nextToken });
}

/**
 * RFC 7592 §2.3: deletes the registration. The client's credentials stop working in
 * this isolate at once and in every other within CLIENT_CACHE_TTL_MS (their cached copy).
 */
export async function deleteClient(env: Env, clientId: string, authorization: string | null): Promise<void> {
  const { tokenHash } = await authorizedClient(env, clientId, authorization);
  const deleted = await deleteDynamicClient(env.DB, clientId, tokenHash).finally(() => forgetClient(clientId));
  if (!deleted) throw invalidToken(NOT_THIS_CLIENTS, true);
  await deleteSealedSecret(env.DB, clientId);
}
