import { Hono } from "hono/tiny";
import { bucketOf } from "../../../shard/bucket";
import { notFound } from "../../errors";
import { passkeyCall } from "../../passkeys/shard";
import { shardFailure } from "../../shard-errors";
import type { AppEnv } from "../../types";
import { isUserId } from "../../users/service";

function userParam(raw: string): { id: string; bucket: number } {
  if (!isUserId(raw)) throw notFound("no such user");
  return { id: raw, bucket: bucketOf(raw) };
}

/**
 * Operator API for passkeys, mounted under /admin/users (README "Passkeys (WebAuthn)"): a
 * user's passkeys (no key material), and removing one — a lost or stolen device. Removal is
 * audited (`passkey.removed`, initiator operator); it may take an account's last passkey.
 */
export const adminPasskeys = new Hono<AppEnv>()
  .get("/:id/passkeys", async (c) => {
    const user = userParam(c.req.param("id"));
    const result = await passkeyCall(c.env, c.var.config, { kind: "list", bucket: user.bucket, userId: user.id });
    if (!result.ok && result.error === "not_found") throw notFound("no such user");
    if (!result.ok) throw shardFailure(result, "user", "the passkey listing");
    return c.json({
      passkeys: result.passkeys.map((p) => ({
        credential_id: p.credentialId, name: p.name, device_type: p.deviceType, backed_up: p.backedUp, transports: p.transports, created_at: p.createdAt, last_used_at: p.lastUsedAt,
      })),
    });
  })
  .delete("/:id/passkeys/:credential", async (c) => {
    const user = userParam(c.req.param("id"));
    const credentialId = c.req.param("credential");
    if (!/^[A-Za-z0-9_-]{1,1366}$/.test(credentialId)) throw notFound("no such passkey");
    const result = await passkeyCall(c.env, c.var.config, { kind: "operator_remove", bucket: user.bucket, userId: user.id, credentialId });
    if (!result.ok && result.error === "not_found") throw notFound(result.detail === "no such user" ? "no such user" : "no such passkey");
    if (!result.ok) throw shardFailure(result, "change", "the passkey removal");
    return c.json({ removed: true, passkeys_left: result.left });
  });
