// The provider for the rebalance benchmark: `wrangler dev` on its own port with its
// own storage (load/.state/rebalance/), created with SHARD_COUNT=2 so the map starts
// on two shards. Users seeded there survive between runs; each run first moves
// every bucket back onto shard-0 and shard-1, then measures the grow to four.
import { join } from "node:path";
import { startProvider, stateToken, type Provider } from "./provider.ts";
import { STATE_DIR } from "./state.ts";

export const REBALANCE_PORT = 8791;
export const REBALANCE_DIR = join(STATE_DIR, "rebalance");

// RATE_LIMITS=off: the refresh loop and the rebalance's operator calls come from one address and one token.
const REBALANCE_VARS: Record<string, string> = { SHARD_COUNT: "2", RATE_LIMITS: "off", SESSION_IDLE_TTL_S: "2592000", ACCESS_TOKEN_TTL_S: "3600" };

/** Starts the benchmark's provider (or reuses one answering on the port); its token is its own state's. */
export function startRebalanceProvider(log: (line: string) => void, port = REBALANCE_PORT): Promise<Provider> {
  return startProvider({ port, dir: REBALANCE_DIR, vars: REBALANCE_VARS, token: stateToken(REBALANCE_DIR), log });
}
