import type { SamlParticipant } from "../../actors/user-shard/api";
import type { Config } from "../../config";
import type { Env } from "../../env";
import { signedRedirectUrl } from "../../saml/bindings";
import { samlUrls } from "../../saml/idp-metadata";
import { persistentNameId } from "../../saml/profile";
import { logoutRequestXml, newSamlId } from "../../saml/response";
import { BINDING_REDIRECT } from "../../saml/sp-metadata";
import { samlSigning } from "./keys";
import { getServiceProvider } from "./service-providers";

/** The signed LogoutRequest URLs of ./logout-frames.ts, one per participant that can be told. */
export async function signedLogoutFrames(env: Env, config: Config, userId: string, participants: SamlParticipant[]): Promise<string[]> {
  // Without the signing key right now, no SP can be told; the session has ended anyway.
  const keys = await samlSigning(env, config).catch(() => null);
  if (!keys) return [];
  const frames = await Promise.all(participants.map((p) => frameFor(env, config, userId, p, keys.privateKeyPem).catch(() => null)));
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
