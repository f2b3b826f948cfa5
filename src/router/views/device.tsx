import { CredentialFields, DecisionButtons, ScopeList } from "./pages";
import { Layout, type PageSecurity } from "./layout";

/** The device flow's pages (RFC 8628 §3.3): enter the code, sign in, approve; no JavaScript. */

interface FormBase {
  security: PageSecurity;
  /** The CSRF form value bound to this browser's CSRF cookie. */
  csrf: string;
}

function ErrorLine(props: { error: string | null }) {
  return props.error ? (
    <p class="error" role="alert" id="device-error">
      {props.error}
    </p>
  ) : null;
}

export function DeviceCodePage(props: FormBase & { userCode: string; error: string | null }) {
  return (
    <Layout title="Connect a device" security={props.security}>
      <h1>Connect a device</h1>
      <p class="muted">Enter the code shown on your device.</p>
      <ErrorLine error={props.error} />
      <form method="post" action="/device">
        <input type="hidden" name="csrf" value={props.csrf} />
        <label for="user_code">Code</label>
        <input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" required value={props.userCode} autofocus />
        <button type="submit">Continue</button>
      </form>
    </Layout>
  );
}

export function DeviceLoginPage(props: FormBase & { userCode: string; clientName: string; email: string; error: string | null }) {
  return (
    <Layout title="Sign in" security={props.security}>
      <h1>Sign in</h1>
      <p class="muted">to connect {props.clientName}</p>
      <ErrorLine error={props.error} />
      <form method="post" action="/device">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="user_code" value={props.userCode} />
        <input type="hidden" name="step" value="login" />
        <CredentialFields email={props.email} />
      </form>
    </Layout>
  );
}

export function DeviceApprovePage(props: FormBase & { userCode: string; clientName: string; email: string; scopes: string[] }) {
  return (
    <Layout title="Allow access" security={props.security}>
      <h1>Allow {props.clientName} on your device to:</h1>
      <ScopeList scopes={props.scopes} />
      <p class="muted">
        Code {props.userCode} · signed in as {props.email}
      </p>
      <form method="post" action="/device">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="user_code" value={props.userCode} />
        <DecisionButtons />
      </form>
    </Layout>
  );
}

export function DeviceDonePage(props: { security: PageSecurity; approved: boolean }) {
  return (
    <Layout title={props.approved ? "Device connected" : "Request denied"} security={props.security}>
      <h1>{props.approved ? "Device connected" : "Request denied"}</h1>
      <p role="status">{props.approved ? "You can return to your device; it will continue on its own." : "The device was not given access."}</p>
    </Layout>
  );
}
