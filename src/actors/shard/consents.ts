import { and, eq } from "drizzle-orm";
import { consents } from "../../../schema/do/user-shard/tables";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";

/** Scopes the user has already allowed this client, empty if none. */
export function grantedScopes(tx: ShardTx, bucket: number, userId: string, clientId: string): Set<string> {
  const row = tx
    .select({ scope: consents.scope })
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.clientId, clientId), eq(consents.bucket, bucket)))
    .get();
  return new Set(row ? row.scope.split(" ").filter(Boolean) : []);
}

export function coversScopes(granted: Set<string>, requested: string): boolean {
  return requested.split(" ").every((s) => s === "" || granted.has(s));
}

/** Remembers the union of what was allowed before and what is allowed now. */
export function recordConsent(tx: ShardTx, bucket: number, userId: string, clientId: string, scope: string, now: number): void {
  const granted = grantedScopes(tx, bucket, userId, clientId);
  for (const s of scope.split(" ")) if (s) granted.add(s);
  const merged = [...granted].sort().join(" ");
  tx.insert(consents)
    .values({ userId, clientId, bucket, scope: merged, grantedAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [consents.userId, consents.clientId], set: { scope: merged, updatedAt: now } })
    .run();
  appendEvent(tx, { bucket, type: "consent.granted", userId, clientId, data: { scope } }, now);
}
