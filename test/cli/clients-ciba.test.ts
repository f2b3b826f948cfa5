import { describe, expect, it } from "vitest";
import { readCreate } from "../../cli/lib/client-commands.ts";
import { formatClient } from "../../cli/lib/client-format.ts";

const CIBA = "urn:openid:params:grant-type:ciba";

function bodyOf(read: ReturnType<typeof readCreate>): Record<string, unknown> {
  if (read === "help") throw new Error("help");
  return read.body;
}

/** `npm run clients -- create` with CIBA settings (OpenID CIBA Core 1.0 §4): the operator API body it sends. */
describe("npm run clients -- create: CIBA", () => {
  const base = ["--id", "desk", "--name", "Desk", "--type", "confidential", "--redirect-uri", "https://app.example/cb", "--grant-type", CIBA];

  it("sends the delivery mode, the notification endpoint and the user-code flag", () => {
    const body = bodyOf(readCreate([...base, "--ciba-mode", "push", "--ciba-notification-endpoint", "https://app.example/notify"]));
    expect(body).toMatchObject({ grant_types: [CIBA], backchannel_token_delivery_mode: "push", backchannel_client_notification_endpoint: "https://app.example/notify" });
    expect(body).not.toHaveProperty("backchannel_user_code_parameter");
    expect(bodyOf(readCreate([...base, "--ciba-mode", "poll", "--ciba-user-code"]))).toMatchObject({ backchannel_user_code_parameter: true });
    // Without the flags, no CIBA members: the operator API then refuses the grant without a mode.
    expect(bodyOf(readCreate(base))).not.toHaveProperty("backchannel_token_delivery_mode");
  });

  it("shows the mode and endpoint of a CIBA client", () => {
    const shown = formatClient({
      client_id: "desk",
      client_name: "Desk",
      client_type: "confidential",
      redirect_uris: ["https://app.example/cb"],
      grant_types: [CIBA],
      scope: "openid",
      token_endpoint_auth_method: "client_secret_basic",
      backchannel_token_delivery_mode: "ping",
      backchannel_client_notification_endpoint: "https://app.example/notify",
    });
    expect(shown).toMatch(/ciba:\s+ping → https:\/\/app\.example\/notify/);
  });
});
