import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

describe("router basics", () => {
  it("answers /healthz", async () => {
    const res = await call("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
