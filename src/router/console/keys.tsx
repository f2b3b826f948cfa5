import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { KeyInfo } from "../../actors/key-manager/api";
import { callApi, mustGet } from "./api";
import type { ConsoleEnv } from "./guard";
import { consoleForm, frameOf } from "./page";
import { KeysPage } from "./views/keys";

/** Signing keys: the list (GET /admin/keys) and rotate now (POST /admin/keys/rotate). */
async function show(c: Context<ConsoleEnv>, extra: { notice?: string; error?: string } = {}, status: 200 | 400 | 403 = 200) {
  const listing = await mustGet<{ keys: KeyInfo[]; rotates_at: number | null }>(c, "/keys");
  return c.html(<KeysPage frame={await frameOf(c, extra)} keys={listing.keys} rotatesAt={listing.rotates_at} />, status);
}

export const consoleKeys = new Hono<ConsoleEnv>()
  .get("/admin/console/keys", async (c) => show(c))
  .post("/admin/console/keys", async (c) => {
    const form = await consoleForm(c);
    if (form.get("action") !== "rotate") return show(c, { error: "unknown keys action" }, 400);
    const rotated = await callApi<{ active: { ES256: string; RS256: string } }>(c, "POST", "/keys/rotate");
    if (!rotated.ok) return show(c, { error: rotated.error }, rotated.status === 403 ? 403 : 400);
    return show(c, { notice: `Rotated: the active keys are now ${rotated.body.active.ES256} (ES256) and ${rotated.body.active.RS256} (RS256).` });
  });
