import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { authorizeUrl, createUser } from "../helpers/oidc";
import { currentDirectoryMap, rowsIn } from "../helpers/shards";
import { SoftAuthenticator, type CeremonyTarget } from "../helpers/webauthn";
import { accountSignIn } from "../mfa/helpers";

export { authorizeParams, idTokenClaims, throughConsent, ACR_MFA } from "../mfa/helpers";

type User = Awaited<ReturnType<typeof createUser>>;

/** A fresh user signed in on the account page in a fresh browser. */
export async function accountUser(): Promise<{ user: User; browser: TestBrowser }> {
  const user = await createUser();
  const browser = new TestBrowser();
  const res = await accountSignIn(browser, user);
  if (res.status !== 303) throw new Error(`account sign-in failed: ${res.status}`);
  return { user, browser };
}

/** The account page's CSRF value. */
export async function accountCsrf(browser: TestBrowser): Promise<string> {
  return hiddenField(await (await browser.get("/account")).text(), "csrf");
}

/** The registration options the account page's script would fetch. */
export async function registrationOptions(browser: TestBrowser) {
  const csrf = await accountCsrf(browser);
  const res = await browser.post("/account/passkey-options", { csrf });
  if (res.status !== 200) throw new Error(`options failed: ${res.status} ${await res.text()}`);
  return { csrf, options: (await res.json()) as { challenge: string; rp: { id: string }; user: { id: string; name: string }; excludeCredentials: { id: string }[]; authenticatorSelection: Record<string, string> } };
}

/** Adds a passkey from the account page: options, the authenticator's answer (which a test may twist), the form. */
export async function addPasskey(browser: TestBrowser, auth: SoftAuthenticator, name = "Test key", twist: Partial<CeremonyTarget> = {}): Promise<Response> {
  const { csrf, options } = await registrationOptions(browser);
  const answer = await auth.register({ challenge: options.challenge, ...twist });
  return browser.post("/account/passkeys", { csrf, action: "add", name, passkey: JSON.stringify(answer) });
}

/** A user with one registered passkey (and its authenticator), signed out of nothing: a fresh browser signs in next. */
export async function userWithPasskey(setup: (auth: SoftAuthenticator) => void = () => {}) {
  const { user, browser } = await accountUser();
  const auth = await SoftAuthenticator.create();
  setup(auth);
  const res = await addPasskey(browser, auth);
  if (res.status !== 200 || !(await res.clone().text()).includes("Passkey added")) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  return { user, auth, accountBrowser: browser };
}

/** The login page of an authorization request, and its interaction. */
export async function loginPage(browser: TestBrowser, params: Record<string, string>): Promise<string> {
  const html = await (await browser.get(authorizeUrl(params))).text();
  return hiddenField(html, "interaction");
}

/** The sign-in options the login page's script would fetch (with an email typed first, or none). */
export async function signInOptions(browser: TestBrowser, interaction: string, email?: string) {
  const res = await browser.post("/passkey-options", { interaction, ...(email ? { email } : {}) });
  if (res.status !== 200) throw new Error(`options failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { challenge: string; rpId: string; allowCredentials?: { id: string }[]; userVerification: string };
}

/** The whole discoverable sign-in from the login page: options, the authenticator's assertion, the form. */
export async function passkeySignIn(browser: TestBrowser, params: Record<string, string>, auth: SoftAuthenticator, userId: string, twist: Partial<CeremonyTarget> & { counter?: number } = {}) {
  const interaction = await loginPage(browser, params);
  const options = await signInOptions(browser, interaction);
  const answer = await auth.assert({ challenge: options.challenge, userHandle: userId, ...twist });
  const res = await browser.post("/passkey-login", { interaction, passkey: JSON.stringify(answer) });
  return { res, interaction, answer };
}

/** A table's rows for a user in the shard that holds them. */
export async function userRows(userId: string, table: string): Promise<Record<string, SqlStorageValue>[]> {
  const shard = shardOf(await currentDirectoryMap(), bucketOf(userId));
  return rowsIn(shard, table, "user_id = ?", userId);
}

export async function shardOfUser(userId: string): Promise<string> {
  return shardOf(await currentDirectoryMap(), bucketOf(userId));
}
