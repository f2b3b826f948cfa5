import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { generateRegistrationOptions, type AuthenticatorTransport } from "@simplewebauthn/server";
import { overview, render, signInPage } from "../account/page";
import type { AccountOverview } from "../../actors/user-shard/api";
import { readSessionCookie, type SessionRef } from "../authorize/session-cookie";
import { formParams, type Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { checkFormCsrf } from "../pages/form-csrf";
import { shardFailure } from "../shard-errors";
import { OAuthError } from "../errors";
import { parseAttestation, startCeremony, takeCeremony, userHandleOf } from "./ceremony";
import { passkeyCall } from "./shard";
import { checkAttestation, REFUSALS } from "./verify";

/**
 * Passkeys on the account page (README "Passkeys"): add one (the registration ceremony,
 * its options as JSON for the page's script, then the answer as a form), or remove one.
 * Every request carries the page's CSRF value; each is the overview read plus one shard call.
 */
const AGAIN = "open the account page again";
export const NAME_MAX = 64;

/** POST /account/passkey-options: the options for navigator.credentials.create(), as JSON. */
async function options(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  await checkFormCsrf(c, config, form, AGAIN);
  const account = await overview(c, await readSessionCookie(c, config));
  if (!account) throw new OAuthError("login_required", 401, "you are not signed in; open the account page again");
  const challenge = await startCeremony(c, c.env, config, "register", account.userId);
  const opts = await generateRegistrationOptions({
    rpName: new URL(config.issuer).host,
    rpID: config.passkeys.rpId,
    userName: account.email,
    userID: userHandleOf(account.userId),
    challenge,
    timeout: config.passkeys.challengeTtlS * 1000,
    attestationType: "none",
    // The user's passkeys already here: an authenticator that holds one says so instead of making a second.
    excludeCredentials: account.passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
    // Discoverable (sign-in without an email) and user-verifying (so a passkey is two factors).
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    supportedAlgorithmIDs: [-7, -257],
  });
  return c.json(opts, 200, { "Cache-Control": "no-store" });
}

const ERRORS: Record<string, string> = {
  login_required: "Your session has ended. Sign in again.",
  conflict: "This passkey is registered already, or it is your last way to sign in.",
  invalid_grant: "This passkey request has expired or was already used. Try again.",
  invalid_input: "You have as many passkeys as an account can hold. Remove one first.",
  not_found: "That passkey is not on your account (perhaps removed in another tab).",
};

/**
 * The registration answer in `form` (field `passkey`, name in `name`) for the signed-in user:
 * the challenge taken, the answer verified, the passkey stored. An error message, or null.
 */
export async function addFromForm(c: Context<PagesEnv>, form: Params, session: SessionRef, account: AccountOverview): Promise<string | null> {
  const config = c.var.config;
  const response = parseAttestation(form.get("passkey"));
  const ceremony = await takeCeremony(c, c.env, config, "register");
  if (!response) return REFUSALS.malformed;
  if (!ceremony || ceremony.userId !== account.userId) return ERRORS.invalid_grant!;
  const name = (form.get("name") ?? "").trim().slice(0, NAME_MAX) || `Passkey ${account.passkeys.length + 1}`;
  const checked = await checkAttestation(config, response, ceremony.challenge, name);
  if ("refused" in checked) return REFUSALS[checked.refused];
  const result = await passkeyCall(c.env, config, { kind: "register", bucket: session.bucket, sessionHash: session.hash, userId: account.userId, challenge: ceremony.spent, passkey: checked.passkey });
  if (!result.ok && ERRORS[result.error]) return ERRORS[result.error]!;
  if (!result.ok) throw shardFailure(result, "change", "the passkey change");
  return null;
}

/** POST /account/passkeys: `add` (the answer of navigator.credentials.create() in `passkey`) or `remove` (`credential_id`). */
async function submit(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  await checkFormCsrf(c, config, form, AGAIN);
  const session = await readSessionCookie(c, config);
  const account = await overview(c, session);
  if (!account || !session) return signInPage(c);
  const action = form.get("action");
  let result;
  if (action === "add") {
    const error = await addFromForm(c, form, session, account);
    const fresh = (await overview(c, session)) ?? account;
    return error ? render(c, fresh, { error }, 400) : render(c, fresh, { notice: "Passkey added. You can sign in with it now." });
  } else if (action === "remove") {
    const credentialId = form.get("credential_id") ?? "";
    if (!/^[A-Za-z0-9_-]{1,1366}$/.test(credentialId)) return render(c, account, { error: ERRORS.not_found }, 400);
    result = await passkeyCall(c.env, config, { kind: "remove", bucket: session.bucket, sessionHash: session.hash, credentialId });
  } else {
    throw new OAuthError("invalid_request", 400, "unknown passkey action");
  }
  if (!result.ok && result.error === "login_required") return signInPage(c);
  const fresh = (await overview(c, session)) ?? account;
  if (!result.ok && ERRORS[result.error]) return render(c, fresh, { error: ERRORS[result.error] }, 400);
  if (!result.ok) throw shardFailure(result, "change", "the passkey change");
  return render(c, fresh, { notice: "Passkey removed." });
}

export const passkeyAccount = new Hono<PagesEnv>().post("/account/passkey-options", options).post("/account/passkeys", submit);
