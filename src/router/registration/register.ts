import type { Config } from "../../config";
import type { Env } from "../../env";
import { checkSecretJwtAvailable, needsSecret } from "./assertion-metadata";
import { syncSealedSecret } from "../clients/sealed-secrets";
import { randomToken, sha256 } from "../../oauth/secrets";
import type { ClientRow } from "../d1/clients";
import { insertDynamicClient } from "../d1/dynamic-clients";
import { registrationGrant } from "./access";
import { clientInformation, clientSettings, storedMetadata } from "./client-record";
import { invalidToken } from "./errors";
import type { Input } from "./fields";
import { parseClientMetadata } from "./metadata";
import { pairwiseUnavailable } from "../clients/subject";
import { invalidClientMetadata } from "./errors";
import { checkPolicy } from "./policy";
import { checkProtectionKeys } from "./protection";
import { applySoftwareStatement } from "./software-statement";

/** 128 random bits: a client id nobody can guess or enumerate (RFC 7591 §3.2.1 leaves its form to us). */
const CLIENT_ID_BYTES = 16;

/**
 * POST /register (RFC 7591 §3.1): who may register, then the software statement (its
 * claims win), then each metadata field, then the registrant's policy; only then are
 * the client id, secret and registration access token made, and the client stored
 * together with the use of the initial access token. Returns the 201 body.
 */
export async function registerClient(env: Env, config: Config, authorization: string | null, body: Input): Promise<Record<string, unknown>> {
  if (config.registration === "off") throw new Error("registerClient called with registration off");
  const grant = await registrationGrant(env.DB, config.registration, authorization, Date.now());
  const { metadata: requested, statement } = await applySoftwareStatement(body, config.softwareStatementTrust);
  const metadata = parseClientMetadata(requested);
  const noPairwise = pairwiseUnavailable(config, metadata.subject_type);
  if (noPairwise) throw invalidClientMetadata("subject_type", noPairwise);
  checkPolicy(metadata, grant.policy);
  await checkProtectionKeys(metadata);
  checkSecretJwtAvailable(metadata.token_endpoint_auth_method, config);

  const clientId = randomToken(CLIENT_ID_BYTES);
  const clientSecret = needsSecret(metadata.token_endpoint_auth_method) ? randomToken() : undefined;
  const registrationAccessToken = randomToken();
  const now = Date.now();
  const row: ClientRow = {
    clientId,
    ...clientSettings(metadata, clientId, now),
    secretHash: clientSecret === undefined ? null : await sha256(clientSecret),
    createdAt: now,
    metadata: storedMetadata(metadata, statement),
    registrationTokenHash: await sha256(registrationAccessToken),
    initialTokenId: grant.initialToken?.id ?? null,
    registrationPolicy: grant.policy,
  };
  if (!(await insertDynamicClient(env.DB, row, grant.initialToken?.hash ?? null, now))) {
    // Another registration took the last use (or the token expired) since we looked.
    throw invalidToken("the initial access token has no registrations left", true);
  }
  // client_secret_jwt: the secret sealed at rest, after the client exists (a failure here leaves a client that can rotate nothing; 503, and it registers again).
  if (metadata.token_endpoint_auth_method === "client_secret_jwt") await syncSealedSecret(env, config, clientId, metadata.token_endpoint_auth_method, clientSecret);
  return clientInformation(row, config, { clientSecret, registrationAccessToken });
}
