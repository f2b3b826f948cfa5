import { Hono } from "hono/tiny";
import type { AppEnv } from "../types";

/** Liveness: answers without touching storage. */
export const health = new Hono<AppEnv>().get("/healthz", (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" });
});
