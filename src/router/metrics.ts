import type { Env } from "../env";
import { shareConfig } from "../config";

/**
 * Load/metrics mode (METRICS=1, local load runs only): counts, per request type,
 * the Durable Object RPC calls and D1 statements a request causes, so the cost
 * model in load/CAPACITY.md rests on counted calls rather than on reading code.
 *
 * Counting wraps the bindings in proxies, one set per request, so concurrent
 * requests never share a counter and no async context tracking is needed. The
 * totals live in isolate memory: under `wrangler dev` there is one isolate, in a
 * deployment each isolate would only see its own share (hence: local only).
 */

/** Header the load tool sets to tell request types apart on one path (e.g. grant types of /token). */
export const LOAD_STEP_HEADER = "x-load-step";
const MAX_TYPES = 200;
const D1_STATEMENT_METHODS = new Set(["first", "all", "run", "raw"]);
/** Namespace methods that hand out stubs; every RPC method called on such a stub is one actor call. */
const STUB_FACTORIES = new Set(["get", "getByName"]);

export interface TypeTotals {
  requests: number;
  actorCalls: number;
  d1Queries: number;
  /** Wall time seen by the worker; in workerd the clock only advances across I/O. */
  wallMs: number;
  /** Rows the actor's own SQLite read and wrote (Durable Object storage bills per row). */
  sqlRowsRead: number;
  sqlRowsWritten: number;
  /** Audit events sent to the audit queue (the shard's flush), and archive objects and bytes written (the consumer). */
  auditEvents: number;
  auditMessages: number;
  r2Writes: number;
  r2Bytes: number;
  /** "USER_SHARD.redeemCode" → calls. */
  actorMethods: Record<string, number>;
  statuses: Record<string, number>;
}

interface Totals {
  since: number;
  types: Map<string, TypeTotals>;
}

let totals: Totals = { since: Date.now(), types: new Map() };

export function metricsEnabled(env: Pick<Env, "METRICS">): boolean {
  return env.METRICS === "1";
}

function emptyTotals(): TypeTotals {
  return { requests: 0, actorCalls: 0, d1Queries: 0, wallMs: 0, sqlRowsRead: 0, sqlRowsWritten: 0, auditEvents: 0, auditMessages: 0, r2Writes: 0, r2Bytes: 0, actorMethods: {}, statuses: {} };
}

/** The totals of request type `key`; past MAX_TYPES distinct keys everything lands in "other". */
function typeTotals(key: string): TypeTotals {
  let entry = totals.types.get(key);
  if (!entry) {
    if (totals.types.size >= MAX_TYPES) return typeTotals("other");
    entry = emptyTotals();
    totals.types.set(key, entry);
  }
  return entry;
}

/** "POST /token authorization_code": method, path (operator paths collapsed) and the load step header. */
export function requestType(request: Request): string {
  const path = new URL(request.url).pathname;
  const route = path.startsWith("/admin/") ? path.split("/").slice(0, 3).join("/") + "/*" : path.slice(0, 64);
  const step = request.headers.get(LOAD_STEP_HEADER);
  const label = step && /^[A-Za-z0-9_:.-]{1,40}$/.test(step) ? ` ${step}` : "";
  return `${request.method} ${route}${label}`;
}

/**
 * What one request (or one actor instance) counts into. Calls that arrive after
 * the request ended (waitUntil, shared in-flight promises) still land in its type.
 */
export class CallCounter {
  constructor(private readonly key: string) {}
  // Looked up on every count, so a counter outliving a reset (an actor's) keeps counting.
  private get entry(): TypeTotals {
    return typeTotals(this.key);
  }
  actorCall(namespace: string, method: string): void {
    const entry = this.entry;
    const name = `${namespace}.${method}`;
    entry.actorCalls++;
    entry.actorMethods[name] = (entry.actorMethods[name] ?? 0) + 1;
  }
  d1(statements: number): void {
    this.entry.d1Queries += statements;
  }
  sqlRows(read: number, written: number): void {
    const entry = this.entry;
    entry.sqlRowsRead += read;
    entry.sqlRowsWritten += written;
  }
  audit(messages: number, events: number): void {
    const entry = this.entry;
    entry.auditMessages += messages;
    entry.auditEvents += events;
  }
  r2Write(bytes: number): void {
    const entry = this.entry;
    entry.r2Writes++;
    entry.r2Bytes += bytes;
  }
  finish(status: number, wallMs: number): void {
    const entry = this.entry;
    entry.requests++;
    entry.wallMs += wallMs;
    entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
  }
}

/** A stub whose every method call counts as one actor call of `namespace`. */
function countingStub<T extends object>(stub: T, namespace: string, counter: CallCounter): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      // "then" must stay as it is: stubs are not thenables and awaiting one must not call it.
      if (typeof prop !== "string" || prop === "then" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        // A traced call is the operation it carries (args: requestId, method, args).
        counter.actorCall(namespace, prop === "traced" && typeof args[1] === "string" ? args[1] : prop);
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function countingNamespace<T extends object>(ns: T, namespace: string, counter: CallCounter): T {
  return new Proxy(ns, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      if (typeof prop === "string" && STUB_FACTORIES.has(prop)) {
        return (...args: unknown[]) => countingStub(Reflect.apply(value, target, args) as object, namespace, counter);
      }
      return (...args: unknown[]) => Reflect.apply(value, target, args);
    },
  });
}

/** Real statements behind the counting proxies, for handing to the real batch(). */
const realStatement = new WeakMap<object, D1PreparedStatement>();

function countingStatement(statement: D1PreparedStatement, counter: CallCounter): D1PreparedStatement {
  const proxy = new Proxy(statement, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      if (prop === "bind") {
        return (...args: unknown[]) => countingStatement(Reflect.apply(value, target, args) as D1PreparedStatement, counter);
      }
      if (typeof prop === "string" && D1_STATEMENT_METHODS.has(prop)) {
        return (...args: unknown[]) => {
          counter.d1(1);
          return Reflect.apply(value, target, args);
        };
      }
      return (...args: unknown[]) => Reflect.apply(value, target, args);
    },
  });
  realStatement.set(proxy, statement);
  return proxy;
}

/** D1 (or a D1 session): executed statements count one each, a batch counts its statements. */
function countingD1<T extends object>(db: T, counter: CallCounter): T {
  return new Proxy(db, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "batch") {
          const statements = (args[0] ?? []) as D1PreparedStatement[];
          counter.d1(statements.length);
          return Reflect.apply(value, target, [statements.map((s) => realStatement.get(s) ?? s), ...args.slice(1)]);
        }
        if (prop === "exec") counter.d1(1);
        const result: unknown = Reflect.apply(value, target, args);
        if (prop === "prepare") return countingStatement(result as D1PreparedStatement, counter);
        if (prop === "withSession") return countingD1(result as object, counter);
        return result;
      };
    },
  });
}

/** Cursors whose row counts are not final yet, per actor; settled before each read of the totals. */
const unsettled = new Set<() => void>();

/**
 * Counts the rows an actor's SQLite reads and writes. A cursor's counts are final
 * once it has been consumed, which statements inside a synchronous transaction
 * always are by the time the next statement runs: they are added up then.
 */
export function countSqlRows(storage: DurableObjectStorage, counter: CallCounter): void {
  const sql = storage.sql;
  const exec = sql.exec.bind(sql);
  let pending: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  const settle = () => {
    for (const cursor of pending) counter.sqlRows(cursor.rowsRead, cursor.rowsWritten);
    pending = [];
  };
  const counting = <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> => {
    settle();
    const cursor = exec<T>(query, ...bindings);
    pending.push(cursor as unknown as SqlStorageCursor<Record<string, SqlStorageValue>>);
    return cursor;
  };
  Object.defineProperty(sql, "exec", { value: counting, configurable: true, writable: true });
  unsettled.add(settle);
}

const NAMESPACES = ["USER_SHARD", "SHARD_DIRECTORY", "KEY_MANAGER"] as const;

const eventsIn = (body: unknown) => ((body as { events?: unknown[] } | null)?.events?.length ?? 0);

/** The audit queue: messages and the events in them. */
function countingQueue(queue: Env["AUDIT_QUEUE"], counter: CallCounter): Env["AUDIT_QUEUE"] {
  return {
    send: (body, options) => {
      counter.audit(1, eventsIn(body));
      return queue.send(body, options);
    },
    sendBatch: (messages, options) => {
      const list = [...messages];
      counter.audit(list.length, list.reduce((n, m) => n + eventsIn(m.body), 0));
      return queue.sendBatch(list, options);
    },
    metrics: () => queue.metrics(),
  } as Env["AUDIT_QUEUE"];
}

/** An R2 bucket whose puts count (with their size). */
function countingBucket(bucket: R2Bucket, counter: CallCounter): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "put") {
          const body = args[1];
          counter.r2Write(body instanceof ArrayBuffer || ArrayBuffer.isView(body) ? body.byteLength : typeof body === "string" ? body.length : 0);
        }
        return Reflect.apply(value, target, args);
      };
    },
  });
}

/** `env` with D1, the audit queue and archive, and the actor namespaces counting into `counter`; everything else as it is. */
export function countingEnv(env: Env, counter: CallCounter): Env {
  const wrapped: Env = { ...env, DB: countingD1(env.DB, counter), AUDIT_QUEUE: countingQueue(env.AUDIT_QUEUE, counter), AUDIT_ARCHIVE: countingBucket(env.AUDIT_ARCHIVE, counter) };
  for (const name of NAMESPACES) {
    (wrapped as unknown as Record<string, object>)[name] = countingNamespace(env[name], name, counter);
  }
  // A new object per request: without this, loadConfig would parse the variables again every request.
  shareConfig(wrapped, env);
  return wrapped;
}

/** fetch with counting bindings; the totals go to the request's type. */
export async function countedFetch(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>,
): Promise<Response> {
  const counter = new CallCounter(requestType(request));
  const started = Date.now();
  let status = 500;
  try {
    const response = await fetch(request, countingEnv(env, counter), ctx);
    status = response.status;
    return response;
  } finally {
    counter.finish(status, Date.now() - started);
  }
}

export interface MetricsSnapshot {
  since: number;
  now: number;
  types: Record<string, TypeTotals & { perRequest: { actorCalls: number; d1Queries: number; wallMs: number } }>;
}

export function snapshot(): MetricsSnapshot {
  for (const settle of unsettled) settle();
  const types: MetricsSnapshot["types"] = {};
  for (const [key, t] of [...totals.types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const per = (n: number) => (t.requests === 0 ? 0 : Math.round((n / t.requests) * 1000) / 1000);
    types[key] = { ...t, perRequest: { actorCalls: per(t.actorCalls), d1Queries: per(t.d1Queries), wallMs: per(t.wallMs) } };
  }
  return { since: totals.since, now: Date.now(), types };
}

export function resetMetrics(): void {
  for (const settle of unsettled) settle();
  totals = { since: Date.now(), types: new Map() };
}
