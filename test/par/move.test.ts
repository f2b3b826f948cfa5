import { describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { createUser, signIn } from "../helpers/oidc";
import { bucketRows, moveBucket, otherShard, ownerOf } from "../rebalance/helpers";
import { parClient, pushed, pushedRow, requestParams } from "./helpers";

/**
 * DESIGN.md: every per-bucket table is in the table registry, so a bucket move takes
 * it along. A pushed request (RFC 9126) waiting in its random bucket is no exception.
 */
describe("a pushed request moves with its bucket", () => {
  it("after the move the row is on the new shard only, and /authorize still takes it once", async () => {
    const client = await parClient("confidential");
    const user = await createUser();
    const par = await pushed(client, (await requestParams(client)).params);
    const before = await pushedRow(par.request_uri);
    const bucket = Number(before.row!.bucket);
    const to = await otherShard(bucket);

    const move = await moveBucket(bucket, to);
    expect(move).toMatchObject({ step: "done", from: before.shard, to, error: null });
    expect((await ownerOf(bucket)).shard).toBe(to);
    expect((await bucketRows(to, bucket)).pushed_requests).toBeGreaterThanOrEqual(1);
    expect((await bucketRows(before.shard, bucket)).pushed_requests ?? 0).toBe(0);

    const callback = await signIn(new TestBrowser(), { client_id: client.clientId, request_uri: par.request_uri }, user);
    expect(callback.get("code")).toMatch(/^c\./);
    expect((await pushedRow(par.request_uri)).row!.used_at).toBeTypeOf("number");
  });
});
