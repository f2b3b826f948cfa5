import { beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { sameChecksum } from "../../src/shard/checksum";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, call, json } from "../helpers/http";
import { authorizeUrl, createUser, registerClient, REDIRECT_URI } from "../helpers/oidc";
import { bucketRows, checksumAt, heldAt, moveBucket, otherShard, ownerOf } from "./helpers";

type TokenBody = { access_token?: string; refresh_token?: string; error?: string };

let app: { clientId: string; auth: Record<string, string> };

beforeAll(async () => {
  const registered = await registerClient("confidential");
  app = { clientId: registered.clientId, auth: basic(registered.clientId, registered.secret!) };
});

describe("moving one bucket between shards", () => {
  it("moves users, credentials, sessions, consents, codes and refresh families; the target serves them all", async () => {
    const user = await createUser();
    const bucket = bucketOf(user.id);
    // A session, a consent, a redeemed code with its refresh family, and a code not yet redeemed.
    const first = await issueCode(app.clientId, { user });
    const issued = await json<TokenBody>(await tokenRequest(redeemFields(first), app.auth));
    expect(issued.refresh_token).toMatch(/^r\./);
    // One rotation, so the family has a retired token to move as well as its current one.
    const tokens = await json<TokenBody>(await tokenRequest({ grant_type: "refresh_token", refresh_token: issued.refresh_token! }, app.auth));
    expect(tokens.refresh_token).toMatch(/^r\./);
    const pending = await issueCode(app.clientId, { user, browser: first.browser });

    const before = await ownerOf(bucket);
    const to = await otherShard(bucket);
    const sourceRows = await bucketRows(before.shard, bucket);
    expect(Object.keys(sourceRows).sort()).toEqual(expect.arrayContaining(["auth_codes", "consents", "credentials", "grants", "refresh_tokens", "sessions", "users"]));
    const sourceSum = await checksumAt(before.shard, bucket);

    const move = await moveBucket(bucket, to);
    expect(move).toMatchObject({ step: "done", from: before.shard, to, error: null });
    expect(move.fence_ms).toBeTypeOf("number");
    expect(move.users).toBeGreaterThanOrEqual(1);

    // Same rows, same content: the target's checksum is the source's and the move's record.
    expect(await bucketRows(to, bucket)).toEqual(sourceRows);
    const targetSum = await checksumAt(to, bucket);
    expect(sameChecksum(targetSum, sourceSum)).toBe(true);
    expect(sameChecksum(targetSum, move.checksum!)).toBe(true);
    // The source holds nothing of the bucket, and no longer owns it.
    expect(await bucketRows(before.shard, bucket)).toEqual({});
    expect(await heldAt(before.shard, bucket)).toBeNull();

    const after = await ownerOf(bucket);
    expect(after).toMatchObject({ shard: to, epoch: before.epoch + 1, state: "active" });
    expect(after.version).toBeGreaterThan(before.version);
    expect(await heldAt(to, bucket)).toEqual({ epoch: before.epoch + 1, state: "active" });

    // Every artifact works from the new owner.
    expect((await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
    const rotated = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! }, app.auth);
    expect(rotated.status).toBe(200);
    // The retired token moved too: presenting it again is still reuse (RFC 9700 §4.14.2).
    const reused = await tokenRequest({ grant_type: "refresh_token", refresh_token: issued.refresh_token! }, app.auth);
    expect(await json<TokenBody>(reused)).toMatchObject({ error: "invalid_grant" });
    const redeemed = await tokenRequest(redeemFields(pending), app.auth);
    expect(redeemed.status).toBe(200);
    const silent = await first.browser.get(
      authorizeUrl({ client_id: app.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", prompt: "none", state: "x", nonce: "n" }),
    );
    expect(silent.status).toBe(302);
    expect(new URL(silent.headers.get("location")!).searchParams.get("code")).toMatch(/^c\./);
    const shown = await json<{ user: { shard: string } }>(await admin("GET", `/users/${user.id}`));
    expect(shown.user.shard).toBe(to);
    // ...and nothing was written to the old owner.
    expect(await bucketRows(before.shard, bucket)).toEqual({});
  });
});
