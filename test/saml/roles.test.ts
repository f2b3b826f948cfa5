import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { admin, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { authnRequest, newSp, postedResponse, redirectUrl, registerSp, signInOnPage, type TestSp } from "./helpers";

/**
 * Roles and groups in the assertion's AttributeStatement (SAML Core §2.7.3): multi-valued
 * attributes (§2.7.3.1.1, one AttributeValue each) from the user's RBAC data, evaluated as
 * for a token with the SP's entityID as the client.
 */

const tag = crypto.randomUUID().slice(0, 6);
const role = (name: string) => `${name}-${tag}`;

async function put(path: string, body: unknown) {
  const res = await admin("PUT", path, body);
  expect(res.status, await res.clone().text()).toBe(200);
}

function values(xml: string, name: string): string[] | null {
  const attr = new RegExp(`<saml:Attribute Name="${name}"[^>]*>(.*?)</saml:Attribute>`).exec(xml);
  if (!attr) return null;
  return [...attr[1]!.matchAll(/<saml:AttributeValue[^>]*>([^<]*)<\/saml:AttributeValue>/g)].map((m) => m[1]!);
}

async function assertionFor(sp: TestSp, user: { email: string; password: string }): Promise<string> {
  const browser = new TestBrowser();
  const page = await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp).xml, null));
  return (await postedResponse(await signInOnPage(browser, page, user))).xml;
}

describe("SAML roles and groups attributes", () => {
  let sp: TestSp;
  let plain: TestSp;
  let groupId: string;

  beforeAll(async () => {
    sp = await newSp();
    plain = await newSp();
    await registerSp(sp, {}, { attribute_map: { roles: "memberOf" } });
    await registerSp(plain);
    const client = await registerClient("confidential");
    await put(`/roles/${role("viewer")}`, { permissions: [] });
    await put(`/roles/${role("editor")}`, { permissions: [] });
    await put(`/roles/${role("oidc-only")}`, { client_id: client.clientId, permissions: [] });
    await put(`/roles/${role("sp-only")}`, { permissions: [], condition: { attribute: "client_id", equals: sp.entityId } });
    const created = await admin("POST", "/groups", { display_name: `Engineering ${tag}`, roles: [role("viewer")] });
    expect(created.status).toBe(201);
    groupId = (await json<{ group: { id: string } }>(created)).group.id;
  });

  it("a user given roles and a group by the operator API gets them, each value its own AttributeValue, renamed by the SP's map", async () => {
    const user = await createUser();
    await put(`/users/${user.id}/access`, { roles: [role("editor"), role("oidc-only"), role("sp-only")] });
    expect((await admin("POST", `/groups/${groupId}/members`, { user_id: user.id })).status).toBe(204);

    const xml = await assertionFor(sp, user);
    // Direct roles and the group's; not the role bound to an OIDC client; the one conditioned on this SP's entityID.
    expect(values(xml, "memberOf")).toEqual([role("editor"), role("sp-only"), role("viewer")].sort());
    expect(values(xml, "roles")).toBeNull();
    expect(values(xml, "groups")).toEqual([`Engineering ${tag}`]);

    // Another SP: the condition on the first SP's entityID fails; no map, so our names.
    const other = await assertionFor(plain, user);
    expect(values(other, "roles")).toEqual([role("editor"), role("viewer")].sort());
    expect(values(other, "groups")).toEqual([`Engineering ${tag}`]);
  });

  it("a user without roles or groups gets neither attribute", async () => {
    const xml = await assertionFor(plain, await createUser());
    expect(values(xml, "roles")).toBeNull();
    expect(values(xml, "groups")).toBeNull();
    expect(values(xml, "email")).toHaveLength(1);
  });
});
