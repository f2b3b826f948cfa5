import type { AccountOverview } from "../../actors/user-shard/api";
import { Layout, textOf, type PageSecurity } from "./layout";

/**
 * Passkeys on the pages. Everything else on them works without JavaScript; the WebAuthn
 * ceremony cannot, so its button stays hidden until the script (run under the page's CSP
 * nonce) finds WebAuthn in the browser. The script fetches the options as JSON, calls
 * navigator.credentials, and submits the answer (WebAuthn §5.1 JSON, base64url) as a form.
 */
const SCRIPT = `(() => {
  const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4)), (ch) => ch.charCodeAt(0)).buffer;
  const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const common = (c) => ({ id: c.id, rawId: enc(c.rawId), type: c.type, authenticatorAttachment: c.authenticatorAttachment || undefined, clientExtensionResults: c.getClientExtensionResults() });
  const answers = {
    get: (c) => ({ ...common(c), response: { clientDataJSON: enc(c.response.clientDataJSON), authenticatorData: enc(c.response.authenticatorData), signature: enc(c.response.signature), userHandle: c.response.userHandle ? enc(c.response.userHandle) : undefined } }),
    create: (c) => ({ ...common(c), response: { clientDataJSON: enc(c.response.clientDataJSON), attestationObject: enc(c.response.attestationObject), transports: c.response.getTransports ? c.response.getTransports() : [] } }),
  };
  const button = document.getElementById("passkey-button");
  const form = document.getElementById("passkey-form");
  const status = document.getElementById("passkey-status");
  if (!button || !form || !window.PublicKeyCredential) return;
  button.hidden = false;
  const mode = form.dataset.mode;
  button.addEventListener("click", async () => {
    status.textContent = "";
    try {
      const body = new URLSearchParams();
      for (const name of (form.dataset.send || "").split(" ").filter(Boolean)) {
        const field = document.getElementById(name) || form.elements.namedItem(name);
        if (field && field.value) body.set(field.name || name, field.value);
      }
      const res = await fetch(form.dataset.options, { method: "POST", body, credentials: "same-origin" });
      if (!res.ok) throw new Error("options");
      const o = await res.json();
      o.challenge = dec(o.challenge);
      if (o.user) o.user.id = dec(o.user.id);
      for (const c of o.allowCredentials || []) c.id = dec(c.id);
      for (const c of o.excludeCredentials || []) c.id = dec(c.id);
      const credential = await navigator.credentials[mode]({ publicKey: o });
      form.elements.namedItem("passkey").value = JSON.stringify(answers[mode](credential));
      form.submit();
    } catch (e) {
      status.textContent = e && e.name === "InvalidStateError" ? form.dataset.msgExists : form.dataset.msgFailed;
    }
  });
})();`;

function Script(props: { security: PageSecurity }) {
  return <script nonce={props.security.nonce} dangerouslySetInnerHTML={{ __html: SCRIPT }} />;
}

/** The login page's "Use a passkey" (worded apart from the "Sign in" button): a discoverable request, or the email's passkeys if one is typed. */
export function PasskeySignIn(props: { security: PageSecurity; interaction: string }) {
  const t = textOf(props.security);
  return (
    <>
      <form method="post" action="passkey-login" id="passkey-form" data-mode="get" data-options="passkey-options" data-send="interaction email" data-msg-exists={t("passkey.exists")} data-msg-failed={t("passkey.failed")}>
        <input type="hidden" name="interaction" value={props.interaction} />
        <input type="hidden" name="passkey" value="" />
        <button type="button" class="secondary" id="passkey-button" hidden>
          {t("passkey.use")}
        </button>
        <p class="muted" id="passkey-status" role="status"></p>
      </form>
      <Script security={props.security} />
    </>
  );
}

function when(t: ReturnType<typeof textOf>, ms: number | null): string {
  return ms === null ? t("passkey.never") : new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/** The account page's passkeys: each with its name, kind and dates, a Remove button; and Add a passkey. */
export function PasskeysSection(props: { security: PageSecurity; csrf: string; account: AccountOverview }) {
  const t = textOf(props.security);
  const { passkeys } = props.account;
  return (
    <section id="passkeys">
      <h2>{t("passkey.heading")}</h2>
      {passkeys.length === 0 ? <p class="muted" id="passkeys-none">{t("passkey.none")}</p> : null}
      <ul id="passkey-list">
        {passkeys.map((p) => (
          <li>
            <form method="post" action="/account/passkeys">
              <input type="hidden" name="csrf" value={props.csrf} />
              <input type="hidden" name="action" value="remove" />
              <input type="hidden" name="credential_id" value={p.credentialId} />
              <strong class="passkey-name">{p.name}</strong> <span class="muted">{t("passkey.details", { kind: p.backedUp ? t("passkey.synced") : t("passkey.device_only"), added: when(t, p.createdAt), used: when(t, p.lastUsedAt) })}</span>{" "}
              <button type="submit" class="secondary">
                {t("passkey.remove")}
              </button>
            </form>
          </li>
        ))}
      </ul>
      <form method="post" action="/account/passkeys" id="passkey-form" data-mode="create" data-options="/account/passkey-options" data-send="csrf" data-msg-exists={t("passkey.exists")} data-msg-failed={t("passkey.failed")}>
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="action" value="add" />
        <input type="hidden" name="passkey" value="" />
        <label for="passkey-name">{t("passkey.name_label")}</label>
        <input id="passkey-name" name="name" type="text" maxlength={64} placeholder={t("passkey.name_placeholder")} />
        <button type="button" id="passkey-button" hidden>
          {t("passkey.add")}
        </button>
        <p class="muted" id="passkey-status" role="status"></p>
      </form>
      <Script security={props.security} />
    </section>
  );
}

/** On the sign-up code form: tells the server this browser can make passkeys, so the offer below follows. */
export function PasskeyCapable(props: { security: PageSecurity }) {
  return (
    <>
      <input type="hidden" name="webauthn" value="" id="webauthn-capable" />
      <script nonce={props.security.nonce} dangerouslySetInnerHTML={{ __html: `if (window.PublicKeyCredential) document.getElementById("webauthn-capable").value = "1";` }} />
    </>
  );
}

/** Right after sign-up: add a passkey now, or continue to the application. */
export function PasskeyOfferPage(props: { security: PageSecurity; csrf: string; interaction: string; clientName: string; notice: string | null; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("passkey.offer_title")} security={props.security}>
      <h1>{t("passkey.offer_title")}</h1>
      {props.notice ? <p id="passkey-notice">{props.notice}</p> : <p>{t("passkey.offer_text")}</p>}
      {props.error ? (
        <p class="error" role="alert" id="passkey-error">
          {props.error}
        </p>
      ) : null}
      {props.notice ? null : (
        <form method="post" action="/signup-passkey" id="passkey-form" data-mode="create" data-options="/account/passkey-options" data-send="csrf" data-msg-exists={t("passkey.exists")} data-msg-failed={t("passkey.failed")}>
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="interaction" value={props.interaction} />
          <input type="hidden" name="passkey" value="" />
          <button type="button" id="passkey-button" hidden>
            {t("passkey.add")}
          </button>
          <p class="muted" id="passkey-status" role="status"></p>
        </form>
      )}
      <form method="post" action="/signup-continue">
        <input type="hidden" name="interaction" value={props.interaction} />
        <button type="submit" class={props.notice ? undefined : "secondary"} id="signup-continue">
          {t("passkey.continue_to", { client: props.clientName })}
        </button>
      </form>
      <Script security={props.security} />
    </Layout>
  );
}
