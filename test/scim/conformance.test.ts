import { describe, expect, it } from "vitest";
import entra from "./fixtures/entra.json";
import okta from "./fixtures/okta.json";
import { scim, scimToken } from "./helpers";

/**
 * The provisioning conversations of two IdPs, replayed request by request: each fixture
 * is written from the IdP's published SCIM documentation (its `source`), with the status
 * and the response fields the IdP reads. `{{name}}` is a value of this run: `unique`,
 * `userName`, or one captured from an earlier response (`capture`: name → field).
 */
interface Step {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  expect: { status: number; body?: unknown; absent?: string[] };
  capture?: Record<string, string>;
}

function fill<T>(value: T, vars: Record<string, string>): T {
  return JSON.parse(JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? `{{${k}}}`)) as T;
}

async function replay(fixture: { source: string; steps: Step[] }, domain: string) {
  const token = await scimToken(domain);
  const unique = crypto.randomUUID().slice(0, 8);
  const vars: Record<string, string> = { unique, userName: `test.user.${unique}@${domain}` };
  for (const raw of fixture.steps) {
    const step = fill(raw, vars);
    const res = await scim(token, step.method, step.path, step.body);
    const text = await res.text();
    expect(res.status, `${step.name}: ${text}`).toBe(step.expect.status);
    const body = text === "" ? null : (JSON.parse(text) as Record<string, unknown>);
    if (step.expect.body !== undefined) expect(body, step.name).toMatchObject(step.expect.body as object);
    for (const key of step.expect.absent ?? []) expect(body, step.name).not.toHaveProperty(key);
    for (const [name, field] of Object.entries(raw.capture ?? {})) vars[name] = String(body![field]);
  }
}

describe("SCIM conformance with the requests IdPs send when provisioning (RFC 7644 §3)", () => {
  it("Okta: import lookup, create, PUT update, deactivate/reactivate, group push with member add/remove and rename", async () => {
    await replay(okta as { source: string; steps: Step[] }, "okta.example");
  });

  it("Microsoft Entra ID: lookup, create with the enterprise extension, Replace with value filters, userName change, manager, 'False', groups", async () => {
    await replay(entra as { source: string; steps: Step[] }, "entra.example");
  });
});
