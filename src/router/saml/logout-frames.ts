import type { Ended, SamlParticipant } from "../../actors/user-shard/api";
import type { Config } from "../../config";
import type { Env } from "../../env";
import { signedRedirectUrl } from "../../saml/bindings";
import { samlUrls } from "../../saml/idp-metadata";
import { persistentNameId } from "../../saml/profile";
import { logoutRequestXml, newSamlId } from "../../saml/response";
import { BINDING_REDIRECT } from "../../saml/sp-metadata";
import { samlSigning } from "./keys";
import { getServiceProvider } from "./service-providers";

/**
 * SAML front-channel single logout (SAML Profiles §4.4, IdP-initiated, HTTP-Redirect binding):
 * the URLs the logout page frames, one signed LogoutRequest for each SP that got an assertion
 * in the ended session and registered a SingleLogoutService over HTTP-Redirect, naming the
 * NameID and SessionIndex its assertion carried. `except` is the SP that asked for the logout
 * (it gets a LogoutResponse instead). An SP the registry cannot produce right now, or one
 * without a redirect SLO endpoint, is left out: the session has ended anyway.
 */
export async function samlLogoutFrames(env: Env, config: Config, ended: Ended, except: string | null = null): Promise<string[]> {
  if (ended.outcome !== "ended") return [];
  const participants = ended.samlParticipants.filter((p) => p.entityId !== except);
  if (participants.length === 0) return [];
  // Without the signing key right now, no SP can be told; the session has ended anyway.
  const keys = await samlSigning(env, config).catch(() => null);
  if (!keys) return [];
  const frames = await Promise.all(participants.map((p) => frameFor(env, config, ended.userId, p, keys.privateKeyPem).catch(() => null)));
  return frames.filter((f): f is string => f !== null);
}

async function frameFor(env: Env, config: Config, userId: string, p: SamlParticipant, privateKeyPem: string): Promise<string | null> {
  const sp = await getServiceProvider(env, config, p.entityId);
  const slo = sp?.metadata.slo;
  if (!slo || slo.binding !== BINDING_REDIRECT) return null;
  const value = p.nameId ?? (config.pairwiseSalt ? await persistentNameId(config.pairwiseSalt, p.entityId, userId) : null);
  if (value === null) return null;
  const id = newSamlId();
  const xml = logoutRequestXml({ id, issuer: samlUrls(config.issuer).entityId, destination: slo.url, nameId: { format: p.nameIdFormat, value }, sessionIndex: p.sessionIndex, now: Date.now() });
  return signedRedirectUrl(slo.url, "SAMLRequest", xml, null, privateKeyPem);
}
