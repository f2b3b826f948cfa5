import type { Context } from "hono";
import type { Config } from "../../config";
import type { Env } from "../../env";
import type { NameIdFormat } from "../../saml/sp-metadata";
import { OAuthError } from "../errors";
import { signJwt, verifyJwt } from "../keys/cache";

/**
 * A validated SSO request waiting for the person to sign in: SP-initiated (with the
 * AuthnRequest's ID, answered as InResponseTo) or IdP-initiated (without). Like the
 * pending OIDC request (src/router/authorize/interaction.ts) it travels as a short-lived
 * JWT we sign, so no server state is kept for sign-in pages nobody submits; everything
 * in it was checked against the SP's registration before it was signed.
 */
export interface PendingSso {
  sp: string;
  requestId: string | null;
  acs: string;
  format: NameIdFormat;
  relayState: string | null;
  forceAuthn: boolean;
  /** IsPassive: answer NoPassive rather than show a page. */
  passive?: boolean;
}

const TYP = "authshard-saml-sso+jwt";
/** RelayState is at most 80 bytes (SAML Bindings §3.4.3, §3.5.3); we allow some slack for SPs that exceed it. */
export const MAX_RELAY_STATE = 1024;

export async function signPending(env: Env, config: Config, pending: PendingSso): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(env, config, "ES256", { sso: pending, iss: config.issuer, aud: config.issuer, iat: now, exp: now + config.interactionTtlS }, { typ: TYP });
}

const expired = () => new OAuthError("invalid_request", 400, "this sign-in page has expired; start again from the application");

export async function openPending(c: Context, env: Env, config: Config, token: string | undefined): Promise<PendingSso> {
  if (!token || token.length > 8192) throw expired();
  const verified = await verifyJwt(env, config, token, { typ: TYP, audience: config.issuer });
  if (!verified.ok) throw expired();
  const sso = (verified.payload as { sso?: PendingSso }).sso;
  if (!sso || typeof sso.sp !== "string" || typeof sso.acs !== "string") throw expired();
  return sso;
}
