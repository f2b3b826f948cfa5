/**
 * The Analytics Engine data point of one request (dataset `authshard_requests`). The column
 * meaning is fixed here and in the queries of `npm run metrics` (cli/lib/metrics-queries.ts):
 *
 *   index1  endpoint            (sampling key)
 *   blob1   endpoint            e.g. "/token", "/authorize", "/admin/users"
 *   blob2   method
 *   blob3   status class        "2xx" … "5xx"
 *   blob4   shard               "" when the request touched no user
 *   blob5   error code          OAuth `error`, "" on success
 *   blob6   colo                Cloudflare location, "" locally
 *   blob7   request id
 *   double1 status
 *   double2 duration in ms      (wall time as the worker saw it)
 *   double3 actor calls
 *   double4 D1 statements
 *   double5 shard retries       (wrong_shard / bucket_moving)
 */
export const METRIC_COLUMNS = {
  endpoint: "blob1",
  method: "blob2",
  statusClass: "blob3",
  shard: "blob4",
  error: "blob5",
  colo: "blob6",
  requestId: "blob7",
  status: "double1",
  durationMs: "double2",
  actorCalls: "double3",
  d1Statements: "double4",
  shardRetries: "double5",
} as const;
