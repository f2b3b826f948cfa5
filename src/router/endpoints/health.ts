import { Hono } from "hono/tiny";
import type { AppEnv } from "../types";
import { noStore } from "../no-store";

/** Liveness: answers without touching storage. */
export const health = new Hono<AppEnv>()
  .use("/healthz", noStore())
  .get("/healthz", (c) => c.json({ status: "ok" }));
