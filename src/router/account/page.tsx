import { lookOf } from "../branding/look";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import { renderSVG } from "uqr";
import type { Config } from "../../config";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { newRecoveryCodes, openTotpSecret, recoveryCodeHash, sealTotpSecret } from "../../oauth/totp";
import { newTotpSecret, totpUri } from "../../oauth/totp-codes";
import type { AccountAction, AccountOverview } from "../../actors/user-shard/api";
import { csrfCookie, csrfCookieName } from "../authorize/interaction";
import { readSessionCookie, type SessionRef } from "../authorize/session-cookie";
import { OAuthError } from "../errors";
import { formParams, type Params } from "../http/params";
import { survivingClients } from "../logout/surviving-clients";
import { MAX_CODE_LENGTH, proofFor } from "../mfa/proof";
import { WRONG_CODE } from "../mfa/step";
import type { PagesEnv } from "../pages/env";
import { SLOWED } from "../endpoints/login";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { AccountPage, AccountSignInPage, type AccountPageProps } from "../views/account";
import { accountPassword, accountSecondFactor } from "./sign-in";

/**
 * The account page: a signed-in person's sessions, consents and second factor. Every
 * form posts to /account with an `action` and the CSRF value (a double submit bound to
 * the browser's CSRF cookie, as on the device page). Each form is two shard calls at
 * most: the overview (who is signed in, the sealed TOTP secret) and the action.
 */

type Extra = Partial<Pick<AccountPageProps, "notice" | "error" | "recoveryCodes">>;

async function security(c: Context) {
  // Branding and languages: the deployment's brand, the browser's language.
  const s = pageSecurity([], [], await lookOf(c, c.var.config));
  c.header("Content-Security-Policy", contentSecurityPolicy(s));
  return s;
}

async function csrfValue(c: Context, config: Config): Promise<string> {
  return sha256(csrfCookie(c, config));
}

async function checkCsrf(c: Context, config: Config, form: Params): Promise<void> {
  const cookie = getCookie(c, csrfCookieName(config));
  const sent = form.get("csrf");
  if (!cookie || !sent || (await sha256(cookie)) !== sent) throw new OAuthError("invalid_request", 400, "this page has expired or was opened in another browser; open the account page again");
}

export async function overview(c: Context<PagesEnv>, session: SessionRef | null): Promise<AccountOverview | null> {
  if (!session) return null;
  const read = await callShard(c.env, c.var.config, session.bucket, (shard) => shard.accountOverview(session.bucket, session.hash));
  if (!read.ok && read.error === "login_required") return null;
  if (!read.ok) throw shardFailure(read, "sign-in", "the account page");
  return read;
}

/** While an enrolment waits for its code, the page shows the QR code and key again (from the sealed secret). */
async function enrolmentOf(config: Config, account: AccountOverview) {
  if (!account.totp.pending || !account.totp.sealedSecret || !config.mfa.secretKey) return null;
  const secret = await openTotpSecret(config.mfa.secretKey, account.userId, account.totp.sealedSecret);
  if (!secret) return null;
  const uri = totpUri(secret, new URL(config.issuer).host, account.email);
  return { uri, secret, qrSvg: renderSVG(uri, { border: 2 }) };
}

export async function render(c: Context<PagesEnv>, account: AccountOverview, extra: Extra = {}, status: 200 | 400 | 401 | 429 = 200) {
  const config = c.var.config;
  return c.html(
    <AccountPage security={await security(c)} csrf={await csrfValue(c, config)} account={account} enrolment={await enrolmentOf(config, account)} notice={extra.notice ?? null} error={extra.error ?? null} recoveryCodes={extra.recoveryCodes ?? null} />,
    status,
  );
}

export async function signInPage(c: Context<PagesEnv>, email = "", error: string | null = null, pending: string | null = null, status: 200 | 401 | 429 = 200) {
  return c.html(<AccountSignInPage security={await security(c)} csrf={await csrfValue(c, c.var.config)} email={email} error={error} pending={pending} />, status);
}

async function showAccount(c: Context<PagesEnv>): Promise<Response> {
  const account = await overview(c, await readSessionCookie(c, c.var.config));
  return account ? render(c, account) : signInPage(c);
}

/** Builds the shard action for a form, or answers the form itself (a wrong code, a missing key). */
async function actionFor(c: Context<PagesEnv>, form: Params, account: AccountOverview): Promise<{ action: AccountAction; codes?: string[] } | { error: string }> {
  const config = c.var.config;
  const kind = form.get("action");
  const typed = form.get("code") ?? "";
  const needsCode = kind === "confirm_totp" || kind === "disable_totp" || kind === "regenerate_recovery_codes";
  if (needsCode && (typed.length === 0 || typed.length > MAX_CODE_LENGTH)) return { error: WRONG_CODE };
  switch (kind) {
    case "end_other_sessions":
      return { action: { kind, context: { survivingClients: await survivingClients(c.env, config, null), initiator: "user", clientId: null } } };
    case "withdraw_consent": {
      const clientId = form.get("client_id") ?? "";
      if (clientId === "" || clientId.length > 256) throw new OAuthError("invalid_request", 400, "client_id is missing or too long");
      return { action: { kind, clientId } };
    }
    case "start_totp":
      if (!config.mfa.secretKey) return { error: "Two-factor sign-in is not available on this server (MFA_SECRET_KEY is not set)." };
      return { action: { kind, sealedSecret: await sealTotpSecret(config.mfa.secretKey, account.userId, newTotpSecret()) } };
    case "confirm_totp": {
      const proof = await proofFor(c.env, config, bucketOf(account.userId), account.userId, typed, account.totp.sealedSecret);
      const codes = newRecoveryCodes();
      return { action: { kind, step: proof.kind === "totp" ? proof.step : null, recoveryCodeHashes: await Promise.all(codes.map(recoveryCodeHash)) }, codes };
    }
    case "disable_totp":
      return { action: { kind, proof: await proofFor(c.env, config, bucketOf(account.userId), account.userId, typed, account.totp.sealedSecret) } };
    case "regenerate_recovery_codes": {
      const codes = newRecoveryCodes();
      const proof = await proofFor(c.env, config, bucketOf(account.userId), account.userId, typed, account.totp.sealedSecret);
      return { action: { kind, proof, recoveryCodeHashes: await Promise.all(codes.map(recoveryCodeHash)) }, codes };
    }
    default:
      throw new OAuthError("invalid_request", 400, "unknown account action");
  }
}

const NOTICES: Record<AccountAction["kind"], string> = {
  end_other_sessions: "Signed out everywhere else.",
  withdraw_consent: "Access withdrawn.",
  start_totp: "Scan the code, then enter the code your app shows to turn two-factor sign-in on.",
  confirm_totp: "Two-factor sign-in is on.",
  disable_totp: "Two-factor sign-in is off.",
  regenerate_recovery_codes: "New recovery codes: the old ones no longer work.",
};

async function submitAccount(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  await checkCsrf(c, config, form);
  const kind = form.get("action");
  if (kind === "sign_in" || kind === "second_factor") {
    const outcome = kind === "sign_in" ? await accountPassword(c, form) : await accountSecondFactor(c, form);
    if ("pending" in outcome) return signInPage(c, "", outcome.error, outcome.pending, outcome.status);
    if ("error" in outcome) return signInPage(c, form.get("email") ?? "", outcome.error, null, outcome.status);
    return c.redirect("/account", 303);
  }
  const session = await readSessionCookie(c, config);
  const account = await overview(c, session);
  if (!account || !session) return signInPage(c);
  const built = await actionFor(c, form, account);
  if ("error" in built) return render(c, account, { error: built.error }, 400);
  const done = await callShard(c.env, config, session.bucket, (shard) => shard.accountAction(session.bucket, session.hash, built.action));
  if (!done.ok && done.error === "login_required") return signInPage(c);
  if (!done.ok && done.error === "conflict") return render(c, (await overview(c, session)) ?? account, { error: "That was already done (perhaps in another tab)." }, 400);
  if (!done.ok) throw shardFailure(done, "change", "the account change");
  const fresh = (await overview(c, session)) ?? account;
  if (done.outcome === "rejected") {
    if (done.retryAfterS > 0) c.header("Retry-After", String(done.retryAfterS));
    return render(c, fresh, { error: done.retryAfterS > 0 ? SLOWED(done.retryAfterS) : WRONG_CODE }, done.retryAfterS > 0 ? 429 : 401);
  }
  return render(c, fresh, { notice: NOTICES[built.action.kind], recoveryCodes: built.codes ?? null });
}

export const accountPage = new Hono<PagesEnv>().get("/account", showAccount).post("/account", submitAccount);
