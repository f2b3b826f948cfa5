import { describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { drainOutbox } from "../helpers/audit";
import { admin, json } from "../helpers/http";
import { currentDirectoryMap } from "../helpers/shards";
import { newUser, PATCH_OP, scim, scimToken } from "./helpers";

/** Audit events of provisioning and role assignment: in the user's shard, in the transaction of the change, naming who made it. */
describe("audit trail of SCIM and role changes", () => {
  it("create, update, role assignment and delete are recorded with their actor (the SCIM client or the operator)", async () => {
    const token = await scimToken("audited IdP");
    const clients = await json<{ scim_clients: { id: string; name: string }[] }>(await admin("GET", "/scim-clients"));
    const scimClient = clients.scim_clients.filter((c) => c.name === "audited IdP").at(-1)!.id;
    const user = await json<{ id: string }>(await scim(token, "POST", "/Users", newUser()));
    const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
    await scim(token, "PATCH", `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] });
    const role = `audited-${crypto.randomUUID().slice(0, 6)}`;
    expect((await admin("PUT", `/roles/${role}`, { permissions: ["x"] })).status).toBe(200);
    expect((await admin("PUT", `/users/${user.id}/access`, { roles: [role] })).status).toBe(200);
    expect((await scim(token, "DELETE", `/Users/${user.id}`)).status).toBe(204);

    const events = (await drainOutbox(shard)).flatMap((m) => m.events).filter((e) => e.user_id === user.id);
    const seen = events.map((e) => [e.type, e.data.by ?? null]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ["user.created", null],
        ["access.changed", scimClient],
        ["user.disabled", null],
        ["access.changed", "operator"],
        ["user.deleted", scimClient],
      ]),
    );
    expect(events.find((e) => e.type === "access.changed" && e.data.by === "operator")!.data.roles).toEqual([role]);
  });
});
