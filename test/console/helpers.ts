import { expect } from "vitest";
import { TestBrowser, hiddenField } from "../helpers/browser";
import { admin, ORIGIN } from "../helpers/http";
import { createUser } from "../helpers/oidc";

export type Person = { id: string; email: string; password: string };

/** A user with an operator grant (through the operator API, as `npm run users -- grant-operator` does). */
export async function operatorUser(role: "viewer" | "admin"): Promise<Person> {
  const user = await createUser();
  const res = await admin("POST", "/operators", { email: user.email, role });
  expect(res.status).toBe(201);
  return user;
}

/**
 * Signs in to the console as a person would: /admin → /authorize (the console client,
 * PKCE) → the login form → consent (first time) → the console's callback → /admin.
 * Returns the browser (console and provider cookies) and the last response.
 */
export async function consoleSignIn(user: Person, browser = new TestBrowser()): Promise<{ browser: TestBrowser; res: Response }> {
  let res = await browser.get("/admin");
  for (let hop = 0; hop < 10; hop++) {
    if (res.status >= 300 && res.status < 400) {
      res = await browser.get(new URL(res.headers.get("location")!, ORIGIN).toString());
      continue;
    }
    if (res.status !== 200) break;
    const html = await res.text();
    if (html.includes('action="login"')) res = await browser.post("/login", { interaction: hiddenField(html, "interaction"), email: user.email, password: user.password });
    else if (html.includes('action="consent"')) res = await browser.post("/consent", { interaction: hiddenField(html, "interaction"), decision: "allow" });
    else return { browser, res: new Response(html, { status: 200, headers: res.headers }) };
  }
  return { browser, res };
}

/** The CSRF value of a console page's forms. */
export function csrfOf(html: string): string {
  return hiddenField(html, "csrf");
}
