import { env, runInDurableObject } from "cloudflare:test";
import { decodeJwt, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { getClient } from "../../src/router/clients/registry";
import { clientKeyResolver } from "../../src/router/clients/client-keys";
import { encryptionKeyFor } from "../../src/router/clients/encryption-key";
import { assertionKey } from "../../src/router/clients/jwt-assertion";
import { loadConfig } from "../../src/config";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { currentDirectoryMap, rowsIn } from "../helpers/shards";
import { clientAssertion, keyClient, keyPair, tokenWithAssertion } from "./helpers";

describe("the replay store of assertions (RFC 7523 §3 item 7)", () => {
  it("keeps a used jti in the bucket its (issuer, jti) hash falls in until exp + leeway; the sweep removes it after", async () => {
    const key = await keyPair();
    const clientId = await keyClient([key]);
    const assertion = await clientAssertion(key, clientId);
    expect((await tokenWithAssertion(assertion)).status).toBe(200);
    const { jti, exp } = decodeJwt(assertion);
    const keyHash = await assertionKey(`client:${clientId}`, jti!);
    const bucket = bucketOf(keyHash);
    const shard = shardOf(await currentDirectoryMap(), bucket);
    const rows = await rowsIn(shard, "spent_assertions", "key_hash = ?", keyHash);
    expect(rows).toEqual([{ key_hash: keyHash, bucket, expires_at: (exp! + 30) * 1000 }]);

    await runInDurableObject(stubFor(env, shard), (_i, state) => void state.storage.sql.exec("UPDATE spent_assertions SET expires_at = ? WHERE key_hash = ?", Date.now() - 1000, keyHash));
    const swept = await stubFor(env, shard).sweep();
    expect(swept.deleted.spent_assertions).toBeGreaterThanOrEqual(1);
    expect(await rowsIn(shard, "spent_assertions", "key_hash = ?", keyHash)).toHaveLength(0);
  });
});

describe("the client key helpers other features call", () => {
  it("clientKeyResolver verifies with the client's keys; encryptionKeyFor picks the enc key that fits the algorithm from the same set", async () => {
    const sig = await keyPair();
    const { publicKey } = await generateKeyPair("RSA-OAEP-256", { extractable: true });
    const encRsa = { ...(await exportJWK(publicKey)), kid: "enc-rsa", use: "enc", alg: "RSA-OAEP-256" };
    const { publicKey: ecPublic } = await generateKeyPair("ECDH-ES", { extractable: true });
    const encEc = { ...(await exportJWK(ecPublic)), kid: "enc-ec", use: "enc" };
    const clientId = await keyClient([sig], { jwks: { keys: [sig.publicJwk, encRsa, encEc] } });
    const config = loadConfig(env);
    const client = (await getClient(env, config, clientId))!;
    const resolve = clientKeyResolver(env, client);
    const found = await resolve({ alg: "ES256", kid: sig.kid }, { payload: "", signature: "", protected: "" } as never);
    expect(found).toBeTruthy();
    expect((await encryptionKeyFor(env, client, "RSA-OAEP-256")).kid).toBe("enc-rsa");
    expect((await encryptionKeyFor(env, client, "ECDH-ES+A128KW")).kid).toBe("enc-ec");
  });
});
