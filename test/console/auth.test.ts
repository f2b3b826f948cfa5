import { describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { admin, json } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { consoleSignIn, csrfOf, operatorUser } from "./helpers";

/** Admin console sign-in: the console is a first-party client of the provider itself. */
describe("console sign-in", () => {
  it("without a console session /admin starts the code flow with PKCE as the built-in client (RFC 7636 §4.3)", async () => {
    const res = await new TestBrowser().get("/admin");
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location")!);
    expect(to.pathname).toBe("/authorize");
    expect(to.searchParams.get("client_id")).toBe("authshard-console");
    expect(to.searchParams.get("response_type")).toBe("code");
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("redirect_uri")).toMatch(/\/admin\/console\/callback$/);
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/i);
  });

  it("an operator signs in through the login page and sees the dashboard", async () => {
    const op = await operatorUser("admin");
    const { res } = await consoleSignIn(op);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(op.email);
    expect(html).toContain("Active signing keys");
  });

  it("a user who is not an operator gets a clear 403 page", async () => {
    const user = await createUser();
    const { res } = await consoleSignIn(user);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("is not an operator");
  });

  it("a callback with a state that is not this browser's is refused and sets no console session (RFC 6749 §10.12)", async () => {
    const browser = new TestBrowser();
    await browser.get("/admin");
    const res = await browser.get("/admin/console/callback?code=c.1.x&state=forged");
    expect(res.status).toBe(400);
    expect([...browser.cookies.keys()].some((k) => k.endsWith("authshard_console"))).toBe(false);
  });

  it("signing out of the provider ends the console session", async () => {
    const op = await operatorUser("admin");
    const { browser } = await consoleSignIn(op);
    expect((await browser.get("/admin")).status).toBe(200);
    const sessions = await json<{ sessions: { sid: string }[] }>(await admin("GET", `/users/${op.id}/sessions`));
    expect((await admin("DELETE", `/users/${op.id}/sessions`)).status).toBe(200);
    expect(sessions.sessions.length).toBeGreaterThan(0);
    const after = await browser.get("/admin");
    expect(after.status).toBe(302);
    expect(new URL(after.headers.get("location")!).pathname).toBe("/authorize");
  });
});

describe("console changes", () => {
  it("a viewer sees a user but cannot disable it (403, user unchanged)", async () => {
    const viewer = await operatorUser("viewer");
    const target = await createUser();
    const { browser } = await consoleSignIn(viewer);
    const page = await browser.get(`/admin/console/users/${target.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain("Disable user");
    const res = await browser.post(`/admin/console/users/${target.id}`, { csrf: csrfOf(html), action: "disable" });
    expect(res.status).toBe(403);
    const { user } = await json<{ user: { disabled: boolean } }>(await admin("GET", `/users/${target.id}`));
    expect(user.disabled).toBe(false);
  });

  it("a form without the CSRF value is refused with 403 and changes nothing", async () => {
    const op = await operatorUser("admin");
    const target = await createUser();
    const { browser } = await consoleSignIn(op);
    const res = await browser.post(`/admin/console/users/${target.id}`, { action: "disable" });
    expect(res.status).toBe(403);
    const forged = await browser.post(`/admin/console/users/${target.id}`, { action: "disable", csrf: "not-this-browsers" });
    expect(forged.status).toBe(403);
    const { user } = await json<{ user: { disabled: boolean } }>(await admin("GET", `/users/${target.id}`));
    expect(user.disabled).toBe(false);
  });

  it("an admin disables a user; the audit trail names the operator who did it", async () => {
    const op = await operatorUser("admin");
    const target = await createUser();
    const { browser } = await consoleSignIn(op);
    const html = await (await browser.get(`/admin/console/users/${target.id}`)).text();
    const res = await browser.post(`/admin/console/users/${target.id}`, { csrf: csrfOf(html), action: "disable" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="user-status">disabled');
    const { events } = await json<{ events: { type: string; data: Record<string, unknown> }[] }>(await admin("GET", `/audit?user=${target.id}`));
    const change = events.find((e) => e.type === "admin.change");
    expect(change?.data).toMatchObject({ actor: `user:${op.email}`, actor_user_id: op.id, method: "POST", path: `/admin/users/${target.id}/disable` });
  });
});
