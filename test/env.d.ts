import type { D1Migration } from "cloudflare:test";
import type { Env as AppEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppEnv {
      TEST_D1_MIGRATIONS: D1Migration[];
      /** The relying parties' back-channel endpoints (test/support/rp-receiver.mjs). */
      RP_RECEIVER: Fetcher;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "UserShardActor" | "ShardDirectoryActor";
    }
  }
}
