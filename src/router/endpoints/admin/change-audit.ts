import type { MiddlewareHandler } from "hono";
import { eventId } from "../../../audit/event-id";
import type { AuditRecord } from "../../../audit/message";
import { insertIntoWindow, windowStart } from "../../../audit/window";
import type { AppEnv } from "../../types";
import { operatorLabel, operatorOf } from "./operator";

const READS = new Set(["GET", "HEAD"]);
const USER_PATH = /^\/admin\/(?:users|operators)\/([A-Za-z0-9_-]{10,64})(?:\/|$)/;
const CLIENT_PATH = /^\/admin\/clients\/([^/]+)/;

/**
 * Every successful change made through the operator API (and so through the console)
 * becomes an `admin.change` audit event naming who made it (`actor`: `user:<email>` or
 * `token:<name>`), the method and the path. The event is filed under the user it
 * changed, or else under the console operator who made it, so both trails show it.
 *
 * It is written to the D1 window at once (the console shows it on the next page) and
 * sent to the audit queue for the archive alone. Not in the transaction of the change:
 * D1 and the directory have no outbox; a lost event is logged, the change stands.
 */
export const auditChanges = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  await next();
  if (READS.has(c.req.method) || c.res.status >= 400) return;
  const operator = operatorOf(c);
  if (!operator) return;
  const now = Date.now();
  const path = new URL(c.req.url).pathname;
  const target = USER_PATH.exec(path)?.[1] ?? null;
  const record: AuditRecord = {
    id: eventId(now),
    at: now,
    type: "admin.change",
    user_id: target ?? (operator.kind === "console" ? operator.userId : null),
    client_id: CLIENT_PATH.exec(path)?.[1] ?? null,
    bucket: null,
    shard: null,
    data: {
      actor: operatorLabel(operator),
      ...(operator.kind === "console" ? { actor_user_id: operator.userId, actor_role: operator.role } : { actor_scope: operator.scope }),
      method: c.req.method,
      path,
      status: c.res.status,
    },
  };
  try {
    await insertIntoWindow(c.env.DB, [record], windowStart(now, c.var.config.auditRetentionDays));
    await c.env.AUDIT_QUEUE.send({ v: 1, events: [record], targets: ["archive"] });
  } catch (error) {
    console.error(`admin.change ${record.id} (${record.data.actor} ${c.req.method} ${path}) not recorded`, String(error));
  }
};
