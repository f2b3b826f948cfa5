import { describe, expect, it, beforeAll } from "vitest";
import { loadLocale, localeOfAcceptLanguage, negotiateLocale, t, type MessageKey } from "../../src/i18n";
import { en } from "../../src/i18n/en";
import { ja } from "../../src/i18n/ja";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { admin, call, json } from "../helpers/http";
import { authorizeUrl, createUser, registerClient, REDIRECT_URI } from "../helpers/oidc";
import { waitForMail } from "../email/helpers";

/**
 * Languages of the pages: ui_locales (OIDC Core §3.1.2.1) first, then Accept-Language
 * (RFC 9110 §12.5.4, with q-values), then English; OIDC Discovery §3 ui_locales_supported.
 */

describe("choosing the language", () => {
  it("ui_locales beats Accept-Language, and its first supported tag wins (OIDC Core §3.1.2.1)", () => {
    expect(negotiateLocale({ uiLocales: "ja", acceptLanguage: "en" })).toBe("ja");
    expect(negotiateLocale({ uiLocales: "fr-CA ja-JP en", acceptLanguage: "en" })).toBe("ja");
    expect(negotiateLocale({ uiLocales: "en-GB", acceptLanguage: "ja" })).toBe("en");
  });

  it("Accept-Language is weighed by q, not by order, and q=0 refuses a language (RFC 9110 §12.5.4)", () => {
    expect(localeOfAcceptLanguage("en;q=0.4, ja;q=0.9")).toBe("ja");
    expect(localeOfAcceptLanguage("ja-JP,ja;q=0.9,en-US;q=0.8")).toBe("ja");
    expect(localeOfAcceptLanguage("ja;q=0, en;q=0.1")).toBe("en");
    expect(localeOfAcceptLanguage("fr, de;q=0.8")).toBeNull();
    expect(localeOfAcceptLanguage("ja;q=abc")).toBeNull();
  });

  it("an unsupported language (or none) is English", () => {
    expect(negotiateLocale({ uiLocales: "fr", acceptLanguage: "de, es;q=0.5" })).toBe("en");
    expect(negotiateLocale({})).toBe("en");
  });

  it("the Japanese catalog has every English key, and t() fills placeholders", async () => {
    // Catalogs other than English load with the first page in their language (lookOf does this).
    await loadLocale("ja");
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    expect(t("ja", "login.to_continue", { client: "Acme" })).toBe("Acme に進むには");
    expect(t("en", "login.slowed", { seconds: 3 })).toBe("Too many failed attempts. Wait 3 seconds and try again.");
  });

  it("the federation, passkey, approval-page second factor and SAML texts have Japanese of their own", async () => {
    await loadLocale("ja");
    const keys: MessageKey[] = [
      "federation.sign_in_with", "federation.title", "federation.linked", "federation.tokens_kept", "federation.unlink",
      "federation.link_another", "federation.link", "federation.back", "federation.account_link",
      "passkey.use", "passkey.heading", "passkey.none", "passkey.details", "passkey.synced", "passkey.device_only",
      "passkey.never", "passkey.remove", "passkey.name_label", "passkey.name_placeholder", "passkey.add",
      "passkey.offer_title", "passkey.offer_text", "passkey.continue_to", "passkey.exists", "passkey.failed",
      "mfa.page_continue_with", "mfa.page_enrol_text", "saml.signed_out",
    ];
    for (const key of keys) expect(t("ja", key), key).not.toBe(t("en", key));
  });
});

describe("the pages in Japanese", () => {
  let clientId: string;
  let user: Awaited<ReturnType<typeof createUser>>;
  const params = (extra: Record<string, string> = {}) => ({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: "openid email",
    state: "st",
    nonce: "n",
    ...extra,
  });

  beforeAll(async () => {
    clientId = (await registerClient("confidential")).clientId;
    user = await createUser();
  });

  it("discovery lists ui_locales_supported en and ja (OIDC Discovery §3)", async () => {
    const metadata = await json<{ ui_locales_supported: string[] }>(await call("/.well-known/openid-configuration"));
    expect(metadata.ui_locales_supported).toEqual(["en", "ja"]);
  });

  it("ui_locales=ja renders the login page in Japanese with <html lang=ja>, whatever Accept-Language says", async () => {
    const res = await new TestBrowser().request(authorizeUrl(params({ ui_locales: "ja" })), { headers: { "Accept-Language": "en-US" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("<title>サインイン</title>");
    expect(html).toContain("メールアドレス");
    expect(html).toContain("Test confidential app に進むには");
    expect(html).not.toContain(">Sign in<");
  });

  it("Accept-Language: ja picks Japanese when the request has no ui_locales; an unsupported one is English", async () => {
    const ja = await (await new TestBrowser().request(authorizeUrl(params()), { headers: { "Accept-Language": "fr;q=0.9, ja;q=0.8" } })).text();
    expect(ja).toContain('<html lang="ja">');
    const other = await (await new TestBrowser().request(authorizeUrl(params()), { headers: { "Accept-Language": "fr, de;q=0.5" } })).text();
    expect(other).toContain('<html lang="en">');
    expect(other).toContain("<title>Sign in</title>");
  });

  it("the language survives from the login page to the consent page of one interaction, and the wrong-password message is Japanese", async () => {
    const browser = new TestBrowser();
    const login = await (await browser.get(authorizeUrl(params({ ui_locales: "ja" })))).text();
    // The form posts come from a browser whose Accept-Language says English: ui_locales still decides.
    const english = { "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en" };
    const interaction = hiddenField(login, "interaction");
    const wrong = await browser.request("/login", { method: "POST", headers: english, body: new URLSearchParams({ interaction, email: user.email, password: "wrong password" }).toString() });
    expect(wrong.status).toBe(401);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain("メールアドレスまたはパスワードが正しくありません。");
    const body = new URLSearchParams({ interaction: hiddenField(wrongHtml, "interaction"), email: user.email, password: user.password }).toString();
    const consent = await browser.request("/login", { method: "POST", headers: english, body });
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("Test confidential app に次のことを許可しますか：");
    expect(html).toContain("あなたのメールアドレスを見る");
    expect(html).toContain(">許可<");
  });

  it("the account page and the device page follow Accept-Language", async () => {
    const account = await (await call("/account", { headers: { "Accept-Language": "ja,en;q=0.5" } })).text();
    expect(account).toContain('<html lang="ja">');
    expect(account).toContain("アカウントを管理するには");
    const device = await (await call("/device", { headers: { "Accept-Language": "ja" } })).text();
    expect(device).toContain("デバイスに表示されているコードを入力してください。");
  });

  it("with ui_locales=ja, the code page and the emailed code are Japanese", async () => {
    const browser = new TestBrowser();
    const login = await (await browser.get(authorizeUrl(params({ ui_locales: "ja" })))).text();
    const res = await browser.post("/email-login", { interaction: hiddenField(login, "interaction"), email: user.email });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("メールを確認してください");
    const mail = await waitForMail(user.email);
    expect(mail.subject).toMatch(/^サインインコード: \d{6}$/);
    expect(mail.text).toMatch(/^サインインコードは \d{6} です。/);
    expect(mail.text).toContain("http://127.0.0.1:8787/email-link?t=");
  });

  it("RP-initiated logout's page honours ui_locales (RP-Initiated Logout 1.0 §2)", async () => {
    // No session in this browser: the signed-out page, naming the client.
    const html = await (await new TestBrowser().get(`/logout?client_id=${clientId}&ui_locales=ja`)).text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("Test confidential app からサインアウトしました。");
  });

  it("an error page before the client is known follows Accept-Language", async () => {
    const res = await call(authorizeUrl({ client_id: "no-such-client", redirect_uri: REDIRECT_URI }), { headers: { "Accept-Language": "ja" } });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("このサインイン要求は無効です");
    expect(html).toContain("このアプリケーション（client_id）は登録されていません。");
    // In English the description stays the protocol's own words.
    const english = await (await call(authorizeUrl({ client_id: "no-such-client", redirect_uri: REDIRECT_URI }))).text();
    expect(english).toContain("unknown client_id");
  });
});

describe("the device page in Japanese, with the client's brand (RFC 8628 §3.3)", () => {
  it("a wrong code is refused in Japanese; the sign-in step wears the device client's colour", async () => {
    const { clientId } = await registerClient("public", { grant_types: ["urn:ietf:params:oauth:grant-type:device_code"] });
    expect((await admin("PUT", `/clients/${clientId}/branding`, { primary_color: "#0a7f3f", display_name: "TV app" })).status).toBe(200);
    const started = await call("/device_authorization", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ client_id: clientId, scope: "openid" }).toString() });
    const { user_code } = await json<{ user_code: string }>(started);
    const browser = new TestBrowser();
    const ja = { "Accept-Language": "ja" };
    const csrf = hiddenField(await (await browser.request("/device", { headers: ja })).text(), "csrf");
    const post = (fields: Record<string, string>) =>
      browser.request("/device", { method: "POST", headers: { ...ja, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
    const wrong = await post({ csrf, user_code: "BCDF-GHJK" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("コードが正しくありません。");
    const signIn = await (await post({ csrf, user_code })).text();
    expect(signIn).toContain("Test public app を接続するには");
    expect(signIn).toContain("button{background:#0a7f3f");
    expect(signIn).toContain('<p class="brand-name">TV app</p>');
  });
});
