import { DurableObject } from "cloudflare:workers";
import { count } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../../schema/do/user-shard/migrations/migrations.js";
import * as tables from "../../../schema/do/user-shard/tables";
import type { Env } from "../../env";
import { bucketOf, isBucket } from "../../shard/bucket";
import { fail, ok, type OwnershipUpdate, type ShardResult } from "../results";
import type { ShardDb, ShardTx } from "./db";
import { applyOwnership, checkBucket, OwnedBuckets, readMeta, writeMeta } from "./fencing";
import { sweepOnce } from "./sweep";
import { listConsents, revokeConsent } from "./consents";
import { eventsAppended, flushOutboxBatch, outboxLag, reportBacklog } from "./outbox";

import { LOAD_WINDOW_MINUTES, loadReport } from "./load";
import * as mover from "./mover";
import * as backup from "./backup";
import { scheduleRollback } from "./pitr";
import { loadConfig, type Config } from "../../config";
import { redeemCode } from "./codes";
import { decideDeviceRequest, findDeviceRequest, pollDeviceRequest, startDeviceRequest } from "./device";
import { deviceApprover, redeemDeviceGrant, writeDeviceGrant } from "./device-grants";
import { liveGrantUser } from "./grants";
import { storePushedRequest, takePushedRequest } from "./pushed-requests";
import { decideCibaRequest, deliverCibaRequest, findCibaRequest, pendingCibaRequests, pollCibaRequest, startCibaRequest } from "./ciba";
import { issueAssertionGrant, spendAssertion } from "./assertions";
import { samlSubject } from "./saml";
import type { SamlSubject, SamlSubjectInput } from "./api/saml";
import { introspectAccess, introspectRefresh, revokeAccess, revokeRefresh } from "./revocation";
import { rotateRefresh, type RefreshPolicy } from "./refresh";
import { withProof } from "./dpop";
import { endAllSessions, endSessionByHash, endSessionBySid, listSessions } from "./logout";
import type { SessionLifetimes } from "./sessions";
import { authorizeWithSession, completeLogin, grantConsent, loginChallenge } from "./sign-in";
import { findUser, insertUser, passwordCredential, setDisabled, setEnabled, toView } from "./users";
import { setPasswordByOperator } from "./operator-password";
import { withRequestId } from "./request-context";
import { completeSecondFactor, secondFactorChallenge } from "./second-factor";
import { accountAction, accountOverview } from "./account";
import { TRACED_METHODS, type TracedMethod } from "./api";
import type { FederationOp, FederationResult } from "./api";
import { redeemEmailSignIn, resetPassword, startEmailChallenge } from "./email";
import { directoryLink, upsertDirectoryUser, type DirectoryLinkView, type DirectoryUserInput, type DirectoryUserResult } from "./ldap";
import * as access from "./access";
import { federation } from "./federation";
import { passkeyOperation } from "./passkeys";
import type { PasskeyOp, PasskeyResult } from "./api";
import type {
  AccountAction, AccountActionResult, AccountOverview, AssertionGrant, AssertionGrantInput, AuthorizationAsk, Authorized, BucketBackup, BucketChecksum, BucketDelta, BucketDigest, BucketInventory, BucketPage, CibaDecision, CibaDelivery, CibaDeliveryInput, CibaPending, CibaPoll, CibaPollInput, CibaRequestView, ConsentView, CopyCursor, DeviceApprover, DeviceDecision, DeviceGrantInput, DevicePoll, DevicePollInput, DeviceRedeemInput, DeviceRedeemed, DeviceRequestView, DpopProofRecord, EmailSignInInput, EmailSignedIn, EndContext, Ended, IntrospectRefreshInput, LoadReport, LoginChallenge, LoginOutcome, NewCibaRequest, NewDeviceRequest, NewEmailChallenge, NewPushedRequest, NewSession, NewUser, PasswordResetInput, PushedRequest, RedeemInput, Redeemed, RefreshIntrospection, RestoreInput, RestoreOutcome, RevokeAccessInput, RevokeRefreshInput, Revoked, RollbackScheduled, RollbackTarget, RotateInput, Rotated, Row, SecondFactorChallenge, SecondFactorProof, SecondFactorTarget, SessionView, ShardStats, SpendAssertionInput, SweepResult, TablePage, TakePushedInput, UserShardApi, UserView,
} from "./api";

/** Audit events wait at most this long in the outbox before the flush alarm runs. */
const FLUSH_DELAY_MS = 1_000;
const FLUSH_RETRY_MS = 10_000;
/** Expired state is swept this often; a sweep with more to do comes back sooner. */
const SWEEP_INTERVAL_MS = 10 * 60_000;
const SWEEP_AGAIN_MS = 2_000;

/**
 * UserShardActor: owns every piece of state of the users in its buckets. Each
 * public method is one domain operation and runs as one synchronous SQLite
 * transaction that starts with the bucket-ownership check, so a request from a
 * stale router can never write here after the bucket has moved away.
 */
export class UserShardActor extends DurableObject<Env> implements UserShardApi {
  private readonly db: ShardDb;
  private readonly config: Config;
  private readonly sessionLifetimes: SessionLifetimes;
  private readonly refreshPolicy: RefreshPolicy;
  private flushScheduled = false;
  private readonly owned = new OwnedBuckets();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = loadConfig(env);
    this.sessionLifetimes = { idleTtlS: this.config.sessionIdleTtlS, maxTtlS: this.config.sessionMaxTtlS };
    this.refreshPolicy = { graceS: this.config.refreshGraceS, idleTtlS: this.config.refreshIdleTtlS };
    this.db = drizzle(ctx.storage, { schema: tables });
    void ctx.blockConcurrencyWhile(async () => {
      await migrate(this.db, migrations);
      // The alarm is always armed (alarm() re-arms it for the next sweep), so only an
      // alarm due within the flush delay is a flush already on its way.
      const alarm = await ctx.storage.getAlarm();
      this.flushScheduled = alarm !== null && alarm <= Date.now() + FLUSH_DELAY_MS;
    });
  }

  /** Directory push: the full set of buckets this shard owns at map `version`. */
  syncOwnership(update: OwnershipUpdate): ShardResult<{ applied: boolean; resync?: boolean }> {
    const applied = applyOwnership(this.ctx.storage, this.owned, update);
    return applied === "resync" ? ok({ applied: false, resync: true }) : ok({ applied });
  }

  createUser(input: NewUser): ShardResult<{ user: UserView }> {
    if (!isBucket(input.bucket) || bucketOf(input.id) !== input.bucket) {
      return fail("invalid_input", "bucket does not match the user id");
    }
    return this.inBucket(input.bucket, (tx, now) => insertUser(tx, input, now));
  }

  getUser(bucket: number, id: string): ShardResult<{ user: UserView }> {
    return this.inBucket(bucket, (tx) => {
      const row = findUser(tx, bucket, id);
      return row ? ok({ user: toView(row) }) : fail("not_found", "no such user");
    });
  }

  /** The stored password verifier; the router derives and compares (PBKDF2 runs off the shard). */
  getPasswordVerifier(bucket: number, id: string): ShardResult<{ user: UserView; verifier: string | null }> {
    return this.inBucket(bucket, (tx) => {
      const row = findUser(tx, bucket, id);
      if (!row) return fail("not_found", "no such user");
      return ok({ user: toView(row), verifier: passwordCredential(tx, bucket, id)?.secret ?? null });
    });
  }

  disableUser(bucket: number, id: string): ShardResult<{ user: UserView }> {
    return this.inBucket(bucket, (tx, now) => {
      const disabled = setDisabled(tx, bucket, id, now);
      // A disabled account keeps no session: each ends (its clients are told), and with it every grant.
      if (disabled.ok) endAllSessions(tx, bucket, id, { survivingClients: [], initiator: "user_disabled", clientId: null }, now);
      return disabled;
    });
  }

  enableUser(bucket: number, id: string): ShardResult<{ user: UserView }> { return this.inBucket(bucket, (tx, now) => setEnabled(tx, bucket, id, now)); }
  setPassword(bucket: number, id: string, verifier: string): ShardResult<{ user: UserView; ended: number }> { return this.inBucket(bucket, (tx, now) => setPasswordByOperator(tx, bucket, id, verifier, now)); }

  /** Sign-in, step 1: the password verifier and whether the account is slowed down. */
  loginChallenge(bucket: number, userId: string): ShardResult<LoginChallenge> { return this.inBucket(bucket, (tx, now) => loginChallenge(tx, bucket, userId, now)); }

  /** Sign-in, step 2: record the outcome; on success open a session and continue the authorization. */
  completeLogin(bucket: number, userId: string, passwordOk: boolean, session: NewSession, ask: AuthorizationAsk): ShardResult<LoginOutcome> {
    return this.inBucket(bucket, (tx, now, sql) => completeLogin(tx, sql, bucket, userId, passwordOk, session, ask, this.sessionLifetimes, now));
  }

  // Two-factor sign-in (second-factor.ts, account.ts): the code page's check, and the account page.
  secondFactorChallenge(bucket: number, userId: string): ShardResult<SecondFactorChallenge> { return this.inBucket(bucket, (tx, now) => secondFactorChallenge(tx, bucket, userId, now)); }
  completeSecondFactor(bucket: number, userId: string, proof: SecondFactorProof, target: SecondFactorTarget, ask: AuthorizationAsk): ShardResult<LoginOutcome> {
    return this.inBucket(bucket, (tx, now, sql) => completeSecondFactor(tx, sql, bucket, userId, proof, target, ask, this.sessionLifetimes, now));
  }
  accountOverview(bucket: number, sessionHash: string): ShardResult<AccountOverview> { return this.inBucket(bucket, (tx, now) => accountOverview(tx, bucket, sessionHash, now)); }
  accountAction(bucket: number, sessionHash: string, action: AccountAction): ShardResult<AccountActionResult> { return this.inBucket(bucket, (tx, now) => accountAction(tx, bucket, sessionHash, action, now)); }
  readAccess(bucket: number, userId: string) { return this.inBucket(bucket, (tx) => access.readAccess(tx, bucket, userId)); }
  writeAccess(input: Parameters<UserShardApi["writeAccess"]>[0]) { return this.inBucket(input.bucket, (tx, now) => access.writeAccess(tx, input, now)); }
  deleteUser(bucket: number, userId: string, actor: string) { return this.inBucket(bucket, (tx, now, sql) => access.deleteUser(tx, sql, bucket, userId, actor, now)); }

  /** /authorize with a session cookie: session, max_age and consent checked, code stored — one transaction. */
  authorize(bucket: number, sessionHash: string, ask: AuthorizationAsk): ShardResult<Authorized> { return this.inBucketRaw(bucket, (sql, now) => authorizeWithSession(sql, bucket, sessionHash, ask, this.sessionLifetimes, now)); }

  /** The consent page's "Allow": consent remembered and code stored — one transaction. */
  grantConsent(bucket: number, sessionHash: string, expectedSid: string, ask: AuthorizationAsk): ShardResult<Authorized> {
    return this.inBucket(bucket, (tx, now, sql) => grantConsent(tx, sql, bucket, sessionHash, expectedSid, ask, this.sessionLifetimes, now));
  }

  /** /token authorization_code: single-use redemption; a replay revokes what the code issued. */
  redeemCode(input: RedeemInput): ShardResult<Redeemed> { return this.inBucketRaw(input.bucket, (sql, now) => withProof(sql, input.bucket, input.dpop?.proof, now, () => redeemCode(sql, input, now))); }

  // Device authorization (RFC 8628). In the bucket the user code hashes to: the pending request
  // (created; found by the page; approved or denied once; polled, and redeemed by one poll).
  // In the user's shard: who approves, the grant approval writes, and its redemption.
  startDevice(input: NewDeviceRequest): ShardResult<object> { return this.inBucketRaw(input.bucket, (sql, now) => startDeviceRequest(sql, input, now)); }
  findDevice(bucket: number, userCodeHash: string): ShardResult<DeviceRequestView> { return this.inBucketRaw(bucket, (sql, now) => findDeviceRequest(sql, bucket, userCodeHash, now)); }
  decideDevice(decision: DeviceDecision): ShardResult<object> { return this.inBucketRaw(decision.bucket, (sql, now) => decideDeviceRequest(sql, decision, now)); }
  pollDevice(input: DevicePollInput): ShardResult<DevicePoll> { return this.inBucketRaw(input.bucket, (sql, now) => pollDeviceRequest(sql, input, now)); }
  deviceApprover(bucket: number, sessionHash: string): ShardResult<DeviceApprover> { return this.inBucketRaw(bucket, (sql, now) => deviceApprover(sql, bucket, sessionHash, now)); }
  writeDeviceGrant(input: DeviceGrantInput): ShardResult<DeviceApprover> { return this.inBucket(input.bucket, (tx, now, sql) => writeDeviceGrant(tx, sql, input, now)); }
  redeemDeviceGrant(input: DeviceRedeemInput): ShardResult<DeviceRedeemed> { return this.inBucketRaw(input.bucket, (sql, now) => withProof(sql, input.bucket, input.dpop?.proof, now, () => redeemDeviceGrant(sql, input, now))); }

  // Pushed authorization requests (RFC 9126), in the random bucket their request_uri carries.
  pushRequest(input: NewPushedRequest): ShardResult<object> { return this.inBucketRaw(input.bucket, (sql, now) => storePushedRequest(sql, input, now)); }
  takePushedRequest(input: TakePushedInput): ShardResult<PushedRequest> { return this.inBucketRaw(input.bucket, (sql, now) => takePushedRequest(sql, input, now)); }

  // CIBA (ciba.ts, ciba-grants.ts): everything in the user's own bucket, one transaction each.
  startCiba(input: NewCibaRequest): ShardResult<object> { return this.inBucketRaw(input.bucket, (sql, now) => startCibaRequest(sql, input, now)); }
  findCiba(bucket: number, requestId: string): ShardResult<CibaRequestView> { return this.inBucketRaw(bucket, (sql, now) => findCibaRequest(sql, bucket, requestId, now)); }
  decideCiba(decision: CibaDecision): ShardResult<object> { return this.inBucket(decision.bucket, (tx, now, sql) => decideCibaRequest(tx, sql, decision, now)); }
  pollCiba(input: CibaPollInput): ShardResult<CibaPoll> { return this.inBucketRaw(input.bucket, (sql, now) => pollCibaRequest(sql, input, now)); }
  deliverCiba(input: CibaDeliveryInput): ShardResult<CibaDelivery> { return this.inBucketRaw(input.bucket, (sql, now) => deliverCibaRequest(sql, input, now)); }
  pendingCiba(): ShardResult<{ requests: CibaPending[] }> { return this.ctx.storage.transactionSync(() => pendingCibaRequests(this.ctx.storage.sql, Date.now())); }

  // Email codes, magic links and password resets (email.ts), in the user's bucket.
  startEmailChallenge(input: NewEmailChallenge): ShardResult<object> { return this.inBucketRaw(input.bucket, (sql, now) => startEmailChallenge(sql, input, now)); }
  redeemEmailSignIn(input: EmailSignInInput): ShardResult<EmailSignedIn> { return this.inBucket(input.bucket, (tx, now, sql) => redeemEmailSignIn(tx, sql, input, this.sessionLifetimes, now)); }
  resetPassword(input: PasswordResetInput): ShardResult<{ ended: string[] }> { return this.inBucket(input.bucket, (tx, now, sql) => resetPassword(tx, sql, input, now)); }
  // LDAP / Active Directory users (ldap.ts): created, updated or disabled from the directory; their link for the operator.
  upsertDirectoryUser(input: DirectoryUserInput): ShardResult<DirectoryUserResult> { return this.inBucket(input.bucket, (tx, now) => upsertDirectoryUser(tx, input, now)); }
  directoryLink(bucket: number, id: string): ShardResult<{ link: DirectoryLinkView | null }> { return this.inBucket(bucket, (tx) => directoryLink(tx, bucket, id)); }
  // Federation (federation.ts): upstream sign-in, link, unlink, list — in the user's bucket.
  federation(input: FederationOp): ShardResult<FederationResult> { return this.inBucket(input.bucket, (tx, now, sql) => federation(tx, sql, input, this.sessionLifetimes, now)); }
  // Passkeys (passkeys.ts): list, read, register, sign in, remove — the operation is the input's kind.
  passkey(op: PasskeyOp): ShardResult<PasskeyResult> { return this.inBucket(op.bucket, (tx, now, sql) => passkeyOperation(tx, sql, op, this.sessionLifetimes, now)); }

  // JWT assertions (RFC 7523): a jti spent once, in the bucket its (issuer, jti) hashes to, or
  // spent together with the grant it becomes, in the user's bucket (JWT bearer grant).
  spendAssertion(input: SpendAssertionInput): ShardResult<object> { return this.inBucketRaw(input.bucket, (sql, now) => spendAssertion(sql, input, now)); }
  issueAssertionGrant(input: AssertionGrantInput): ShardResult<AssertionGrant> { return this.inBucketRaw(input.bucket, (sql, now) => issueAssertionGrant(sql, input, now)); }
  samlSubject(input: SamlSubjectInput): ShardResult<SamlSubject> { return this.inBucketRaw(input.bucket, (sql, now) => samlSubject(sql, input, now)); }

  /** /token refresh_token: rotation in one transaction; reuse of a retired token revokes the family. */
  rotateRefresh(input: RotateInput): ShardResult<Rotated> { return this.inBucketRaw(input.bucket, (sql, now) => withProof(sql, input.bucket, input.dpop?.proof, now, () => rotateRefresh(sql, input, this.refreshPolicy, now))); }

  /** /userinfo: the access token (by jti) and the grant behind it are live; the user's current claims. */
  userinfo(bucket: number, userId: string, grantId: string, jti: string, proof: DpopProofRecord | null = null): ShardResult<{ user: UserView; scope: string; claims: string | null }> {
    return this.inBucketRaw(bucket, (sql, now) => withProof(sql, bucket, proof, now, () => liveGrantUser(sql, { bucket, userId, grantId, jti }, now)));
  }

  /** /revoke with an access token: remembered by jti until its expiry, if it is the caller's. */
  revokeAccess(input: RevokeAccessInput): ShardResult<Revoked> { return this.inBucket(input.bucket, (tx, now) => revokeAccess(tx, input, now)); }

  /** /revoke with a refresh token (current or retired): the whole family ends, if it is the caller's. */
  revokeRefresh(input: RevokeRefreshInput): ShardResult<Revoked> { return this.inBucketRaw(input.bucket, (sql, now) => revokeRefresh(sql, input, now)); }

  /** /introspect with an access token: live exactly when /userinfo would accept it. Writes nothing. */
  introspectAccess(bucket: number, userId: string, grantId: string, jti: string): ShardResult<{ active: boolean }> { return this.inBucketRaw(bucket, (sql, now) => introspectAccess(sql, { bucket, userId, grantId, jti }, now)); }

  /** /introspect with a refresh token: active while /token would rotate it. Writes nothing, not even on a retired token. */
  introspectRefresh(input: IntrospectRefreshInput): ShardResult<RefreshIntrospection> { return this.inBucketRaw(input.bucket, (sql, now) => introspectRefresh(sql, input, this.refreshPolicy, now)); }

  /** RP-initiated logout: the browser's session (by cookie hash) and the grants bound to it end together. */
  endSession(bucket: number, sessionHash: string, expectedSub: string | null, context: EndContext): ShardResult<Ended> { return this.inBucket(bucket, (tx, now) => endSessionByHash(tx, bucket, sessionHash, expectedSub, context, now)); }

  /** One session by its sid (operator, or logout with an id_token_hint and no cookie). */
  endSessionBySid(bucket: number, userId: string, sid: string, context: EndContext): ShardResult<Ended> { return this.inBucket(bucket, (tx, now) => endSessionBySid(tx, bucket, userId, sid, context, now)); }

  /** Every open session of a user (operator "sign out everywhere"). */
  endAllSessions(bucket: number, userId: string, context: EndContext): ShardResult<{ ended: string[] }> { return this.inBucket(bucket, (tx, now) => endAllSessions(tx, bucket, userId, context, now)); }

  /** A user's sessions for operators, newest first. Writes nothing. */
  listSessions(bucket: number, userId: string): ShardResult<{ sessions: SessionView[] }> { return this.inBucket(bucket, (tx, now) => listSessions(tx, bucket, userId, now)); }

  // Bucket mover (mover.ts), driven by ShardDirectoryActor: copies land only on
  // a shard that holds the bucket as incoming; rows are dropped only by a shard that gave it away.
  exportBucket(bucket: number, from: CopyCursor | null, limit: number): ShardResult<BucketPage> { return mover.exportBucket(this.ctx.storage.sql, bucket, from, limit); }
  importRows(bucket: number, pages: TablePage[]): ShardResult<{ imported: number }> { return mover.importRows(this.ctx.storage, bucket, pages); }
  bucketDigest(bucket: number, tables?: string[]): ShardResult<{ digest: BucketDigest }> { return mover.bucketDigest(this.ctx.storage.sql, bucket, tables); }
  bucketChecksum(bucket: number): Promise<ShardResult<{ checksum: BucketChecksum }>> { return mover.bucketChecksum(this.ctx.storage.sql, bucket); }
  exportKeys(bucket: number, keys: Record<string, string[]>): ShardResult<{ columns: Record<string, string[]>; rows: Record<string, Row[]> }> { return mover.exportKeys(this.ctx.storage.sql, bucket, keys); }
  applyDelta(bucket: number, delta: BucketDelta): Promise<ShardResult<{ checksum: BucketChecksum }>> { return mover.applyDelta(this.ctx.storage, bucket, delta); }
  dropBucket(bucket: number, limit: number): ShardResult<{ deleted: number; more: boolean }> { return mover.dropBucket(this.ctx.storage, bucket, limit); }
  bucketInventory(first: number, last: number): Promise<ShardResult<BucketInventory>> { return mover.bucketInventory(this.ctx.storage.sql, first, last); }

  // Backups (backup.ts) and point-in-time recovery (pitr.ts), driven by ShardDirectoryActor.
  bucketsWithRows(): ShardResult<{ buckets: number[] }> { return ok({ buckets: backup.bucketsWithRows(this.ctx.storage.sql) }); }
  backupBucket(bucket: number, backupId: string): Promise<ShardResult<BucketBackup>> { return backup.backupBucket(this.ctx.storage, this.env.BACKUPS, bucket, backupId); }
  async restoreBucket(input: RestoreInput): Promise<ShardResult<RestoreOutcome>> {
    const result = await backup.restoreBucket(this.ctx.storage, this.env.BACKUPS, input);
    // Audit events that were waiting in the bucket's outbox when it was backed up go out again (their ids keep one copy).
    if (result.ok && result.outcome === "restored" && (result.checksum.outbox?.rows ?? 0) > 0) this.scheduleFlush();
    return result;
  }
  scheduleRollback(target: RollbackTarget): Promise<ShardResult<RollbackScheduled>> { return scheduleRollback(this.ctx.storage, target, Date.now()); }
  restart(reason: string): void {
    this.ctx.abort(reason);
  }

  /** Requests served per minute and per bucket over the last minutes (skew, plan --by load). */
  loadReport(minutes = LOAD_WINDOW_MINUTES): ShardResult<LoadReport> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > LOAD_WINDOW_MINUTES) return fail("invalid_input", `minutes must be 1..${LOAD_WINDOW_MINUTES}`);
    const owned = new Set(this.db.select({ bucket: tables.ownedBuckets.bucket }).from(tables.ownedBuckets).all().map((r) => r.bucket));
    return ok(loadReport(this.db, owned, Date.now(), minutes));
  }

  /** Counts for operators: users held, buckets owned, map version applied. */
  stats(): ShardResult<ShardStats> {
    const users = this.db.select({ n: count() }).from(tables.users).get()?.n ?? 0;
    const owned = this.db.select({ n: count() }).from(tables.ownedBuckets).get()?.n ?? 0;
    const lag = outboxLag(this.ctx.storage.sql);
    return ok({
      shard: readMeta(this.ctx.storage.sql, "shard_name") ?? null,
      mapVersion: Number(readMeta(this.ctx.storage.sql, "map_version") ?? "0"),
      ownedBuckets: owned,
      users,
      outbox: lag.pending,
      outboxOldestAt: lag.oldestAt,
      outboxDropped: Number(readMeta(this.ctx.storage.sql, "outbox_dropped") ?? "0"),
    });
  }

  traced(requestId: string, method: TracedMethod, args: unknown[]): ShardResult<object> {
    if (!(TRACED_METHODS as readonly string[]).includes(method) || !Array.isArray(args)) return fail("invalid_input", `${String(method)} is not a traced operation`);
    const op = this[method] as (...a: unknown[]) => ShardResult<object>;
    try {
      return withRequestId(String(requestId).slice(0, 64), () => op.apply(this, args));
    } catch (error) {
      console.error(JSON.stringify({ level: "error", event: "shard.exception", request_id: requestId, method, shard: readMeta(this.ctx.storage.sql, "shard_name") ?? null, error: error instanceof Error ? error.message : String(error) }));
      throw error;
    }
  }

  /** Delivers the outbox to the audit queue until it is empty; safe to run concurrently or twice. */
  async flushOutbox(): Promise<{ sent: number }> {
    let sent = 0;
    for (;;) {
      const batch = await flushOutboxBatch(this.db, this.env.AUDIT_QUEUE, readMeta(this.ctx.storage.sql, "shard_name") ?? null, this.env.LOGOUT_QUEUE, this.env.NOTIFY_QUEUE);
      sent += batch.sent;
      if (!batch.more) return { sent };
    }
  }

  /** Operator API: what the user has allowed which clients. */
  listConsents(bucket: number, userId: string): ShardResult<{ consents: ConsentView[] }> {
    return this.inBucket(bucket, (tx) => {
      if (!findUser(tx, bucket, userId)) return fail("not_found", "no such user");
      return ok({ consents: listConsents(tx, bucket, userId) });
    });
  }

  /** Consent withdrawn: the consent row and every grant of that client for the user end together. */
  revokeConsent(bucket: number, userId: string, clientId: string): ShardResult<{ revoked: boolean; grants: number }> {
    return this.inBucket(bucket, (tx, now) => {
      if (!findUser(tx, bucket, userId)) return fail("not_found", "no such user");
      return ok(revokeConsent(tx, bucket, userId, clientId, now));
    });
  }

  /** Housekeeping: deletes expired codes, sessions, grants and revoked-jti rows, a bounded batch per table. */
  sweep(): SweepResult {
    // Expiry can record events (ciba.expired): they leave with a flush like any other.
    const before = eventsAppended();
    const swept = sweepOnce(this.db, { accessTokenTtlS: this.config.accessTokenTtlS, refreshIdleTtlS: this.config.refreshIdleTtlS }, Date.now(), this.ctx.storage.sql);
    if (eventsAppended() !== before) this.scheduleFlush();
    return swept;
  }

  /**
   * One alarm serves both timers: the outbox flush (soon after a write) and the
   * sweep (every SWEEP_INTERVAL_MS). Alarms fire at least once; both jobs are idempotent.
   */
  override async alarm(): Promise<void> {
    this.flushScheduled = false;
    let next = Date.now() + SWEEP_INTERVAL_MS;
    try {
      await this.flushOutbox();
      // A write while the flush awaited D1 armed a new flush: the setAlarm below must not push it back to the sweep.
      if (this.flushScheduled) next = Date.now() + FLUSH_DELAY_MS;
    } catch (error) {
      // Keep the events: they are retried on the next alarm, not dropped (unless the outbox is full).
      reportBacklog(this.ctx.storage, this.config.outboxMaxEvents, error);
      this.flushScheduled = true;
      next = Date.now() + FLUSH_RETRY_MS;
    }
    const now = Date.now();
    const sweepAt = Number(readMeta(this.ctx.storage.sql, "next_sweep_at") ?? "0");
    if (now >= sweepAt) {
      const swept = this.sweep();
      const again = swept.more ? now + SWEEP_AGAIN_MS : now + SWEEP_INTERVAL_MS;
      writeMeta(this.ctx.storage.sql, "next_sweep_at", String(again));
      next = Math.min(next, again);
    } else {
      next = Math.min(next, sweepAt);
    }
    if (this.flushScheduled) next = Math.min(next, now + FLUSH_DELAY_MS);
    await this.ctx.storage.setAlarm(next);
  }

  /**
   * One domain operation: one synchronous transaction that starts with the bucket
   * check, then an outbox flush scheduled exactly when the operation appended audit
   * events (whatever its result says: a failure can still record an event). `op`
   * gets drizzle's transaction and the raw SQL handle of the same storage: the hot
   * paths (token, userinfo, authorize) use raw SQL, the rest drizzle.
   */
  private inBucket<T extends object>(bucket: number, op: (tx: ShardTx, now: number, sql: SqlStorage) => ShardResult<T>): ShardResult<T> {
    const now = Date.now();
    const before = eventsAppended();
    const sql = this.ctx.storage.sql;
    const result = this.db.transaction((tx) => checkBucket(sql, this.owned, bucket) ?? op(tx, now, sql));
    if (eventsAppended() !== before) this.scheduleFlush();
    return result;
  }

  /** inBucket for the hot paths: the same transaction without drizzle's transaction object. */
  private inBucketRaw<T extends object>(bucket: number, op: (sql: SqlStorage, now: number) => ShardResult<T>): ShardResult<T> {
    const now = Date.now();
    const before = eventsAppended();
    const sql = this.ctx.storage.sql;
    const result = this.ctx.storage.transactionSync(() => checkBucket(sql, this.owned, bucket) ?? op(sql, now));
    if (eventsAppended() !== before) this.scheduleFlush();
    return result;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void this.ctx.storage.setAlarm(Date.now() + FLUSH_DELAY_MS);
  }
}
