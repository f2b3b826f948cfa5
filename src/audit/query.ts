import { partitionsBetween, readArchiveObject } from "./archive";
import { parseEventData, type AuditRecord } from "./message";

/** One page of a user's audit trail, with where to go on. */
export interface AuditPage {
  events: AuditRecord[];
  /** Opaque; pass back as `cursor` for the next page. Null when this source is done. */
  next: string | null;
}

const WINDOW_COLUMNS = "id, at, type, user_id, client_id, bucket, shard, data";

/** An audit_log row: the record with its data still JSON text. */
type WindowRow = Omit<AuditRecord, "data"> & { data: string };

function fromWindow(row: WindowRow): AuditRecord {
  return { ...row, data: parseEventData(row.data) };
}

/** Whose events a window page holds: a user's, or a client's. */
export type WindowKey = { user: string } | { client: string };

/**
 * The D1 window: events of a user (or a client) in [since, until), oldest first, keyset-paged
 * on (at, id). The cursor is the last event's "at:id". A user's page reads the
 * `audit_log_user` index; a client's has no index of its own and walks `audit_log_at` from
 * `since` until `limit` events of the client are found (at worst the whole range).
 */
export async function windowPage(db: D1Database, key: WindowKey, since: number, until: number, limit: number, cursor: string | null): Promise<AuditPage> {
  let after = { at: since - 1, id: "\uffff" };
  if (cursor !== null) {
    const [at, id] = [Number(cursor.slice(0, cursor.indexOf(":"))), cursor.slice(cursor.indexOf(":") + 1)];
    if (Number.isFinite(at) && id) after = { at, id };
  }
  const { results } = await db
    .prepare(`SELECT ${WINDOW_COLUMNS} FROM audit_log WHERE ${"user" in key ? "user_id" : "client_id"} = ?1 AND at < ?2 AND (at > ?3 OR (at = ?3 AND id > ?4)) ORDER BY at, id LIMIT ?5`)
    .bind("user" in key ? key.user : key.client, until, after.at, after.id, limit + 1)
    .all<WindowRow>();
  const events = results.slice(0, limit).map(fromWindow);
  const last = events[events.length - 1];
  return { events, next: results.length > limit && last ? `${last.at}:${last.id}` : null };
}

/** Archive objects read per call: each is one queue batch's events of one hour, decompressed in memory. */
export const ARCHIVE_OBJECTS_PER_PAGE = 20;

/**
 * The R2 archive: scans the hour partitions covering [since, until) in key order, at most
 * ARCHIVE_OBJECTS_PER_PAGE objects per call, and keeps the events of `userId` (every user
 * when null). The cursor is the last object key read. Events delivered twice (a lost
 * acknowledgement) are returned once per page; callers merging pages dedupe on `id`.
 * Long ranges over a busy archive are a job for a query engine (README "Audit trail").
 */
export async function archivePage(bucket: R2Bucket, userId: string | null, since: number, until: number, cursor: string | null): Promise<AuditPage> {
  const partitions = partitionsBetween(since, until);
  let index = 0;
  if (cursor !== null) {
    const at = partitions.findIndex((p) => cursor.startsWith(p));
    index = at === -1 ? partitions.length : at;
  }
  const seen = new Set<string>();
  const events: AuditRecord[] = [];
  let read = 0;
  let startAfter = cursor ?? undefined;
  for (; index < partitions.length; index++, startAfter = undefined) {
    const prefix = partitions[index]!;
    for (;;) {
      const listed = await bucket.list({ prefix, startAfter, limit: ARCHIVE_OBJECTS_PER_PAGE - read });
      for (const object of listed.objects) {
        const body = await bucket.get(object.key);
        read++;
        startAfter = object.key;
        if (!body) continue;
        for (const record of await readArchiveObject(body)) {
          if (record.at < since || record.at >= until || (userId !== null && record.user_id !== userId) || seen.has(record.id)) continue;
          seen.add(record.id);
          events.push(record);
        }
      }
      if (read >= ARCHIVE_OBJECTS_PER_PAGE) {
        const more = listed.truncated || index < partitions.length - 1;
        events.sort(byTime);
        return { events, next: more ? startAfter! : null };
      }
      if (!listed.truncated) break;
    }
  }
  events.sort(byTime);
  return { events, next: null };
}

function byTime(a: AuditRecord, b: AuditRecord): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
