import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { ORIGIN } from "../helpers/http";

/** The deployment's look (BRAND_*): validated at startup like every variable, worn by every page a client does not brand. */

const base = { ISSUER: "https://id.example.com" };

function errorOf(vars: Record<string, string>): ConfigError {
  try {
    parseConfig({ ...base, ...vars });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("parseConfig accepted the configuration");
}

describe("BRAND_* configuration", () => {
  it("is unbranded by default and reads every field", () => {
    expect(parseConfig(base).branding).toEqual({ displayName: null, logo: null, primaryColor: null, backgroundColor: null, text: {} });
    const logo = `${"ab".repeat(32)}.webp`;
    const branding = parseConfig({ ...base, BRAND_NAME: " Acme ", BRAND_LOGO: logo, BRAND_PRIMARY_COLOR: "#AA3300", BRAND_BACKGROUND_COLOR: "#ffffff", BRAND_TEXT: "Hello", BRAND_TEXT_JA: "こんにちは" }).branding;
    expect(branding).toEqual({ displayName: "Acme", logo, primaryColor: "#AA3300", backgroundColor: "#ffffff", text: { en: "Hello", ja: "こんにちは" } });
  });

  it("stops startup on a colour that is not #rrggbb, a logo that is not an uploaded name, a text too long", () => {
    expect(errorOf({ BRAND_PRIMARY_COLOR: "red;}body{display:none" }).variable).toBe("BRAND_PRIMARY_COLOR");
    expect(errorOf({ BRAND_BACKGROUND_COLOR: "#fff" }).variable).toBe("BRAND_BACKGROUND_COLOR");
    expect(errorOf({ BRAND_LOGO: "https://cdn.example/logo.png" }).variable).toBe("BRAND_LOGO");
    expect(errorOf({ BRAND_TEXT: "x".repeat(301) }).variable).toBe("BRAND_TEXT");
  });
});

describe("the deployment's look on a page", () => {
  it("an error page (no client known) wears BRAND_NAME, BRAND_PRIMARY_COLOR and BRAND_TEXT_JA, escaped, under the page nonce", async () => {
    const workerEnv = { ...(env as unknown as Env), BRAND_NAME: "Acme <b>", BRAND_PRIMARY_COLOR: "#123abc", BRAND_TEXT: "English text", BRAND_TEXT_JA: "日本語のテキスト" };
    const res = await app.fetch(new Request(new URL("/authorize?client_id=nobody", ORIGIN), { headers: { "Accept-Language": "ja" } }), workerEnv, createExecutionContext());
    expect(res.status).toBe(400);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).not.toContain("img-src");
    const html = await res.text();
    expect(html).toContain('<p class="brand-name">Acme &lt;b&gt;</p>');
    expect(html).toContain("button{background:#123abc");
    expect(html).toContain(`<style nonce="${/style-src 'nonce-([^']+)'/.exec(csp)![1]}">`);
    expect(html).toContain("日本語のテキスト");
    expect(html).not.toContain("English text");
  });
});
