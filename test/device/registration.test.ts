import { describe, expect, it } from "vitest";
import { registered } from "../registration/helpers";
import { DEVICE_GRANT, pollError, startDevice } from "./helpers";

/** RFC 7591 §2 grant_types with RFC 8628 §3.4's grant type: a registered device client can start the flow at once. */
describe("registering a device client", () => {
  it("dynamic registration accepts the device grant with refresh_token and no redirect-based grant", async () => {
    const policy = { grant_types: [DEVICE_GRANT, "refresh_token"], scope: "openid offline_access" };
    const info = await registered({ grant_types: [DEVICE_GRANT, "refresh_token"], response_types: [], token_endpoint_auth_method: "none", scope: "openid offline_access" }, policy);
    expect(info.grant_types).toEqual([DEVICE_GRANT, "refresh_token"]);
    const client = { clientId: info.client_id, secret: undefined };
    const auth = await startDevice(client, "openid offline_access");
    expect(await pollError(client, auth.device_code)).toBe("authorization_pending");
  });
});
