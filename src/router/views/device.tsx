import { CredentialFields, DecisionButtons, ScopeList } from "./pages";
import { Layout, messageOf, textOf, type PageSecurity } from "./layout";

/** The device flow's pages (RFC 8628 §3.3): enter the code, sign in, approve; no JavaScript. */

interface FormBase {
  security: PageSecurity;
  /** The CSRF form value bound to this browser's CSRF cookie. */
  csrf: string;
}

function ErrorLine(props: { error: string | null; security: PageSecurity }) {
  return props.error ? (
    <p class="error" role="alert" id="device-error">
      {messageOf(props.security, props.error)}
    </p>
  ) : null;
}

export function DeviceCodePage(props: FormBase & { userCode: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("device.title")} security={props.security}>
      <h1>{t("device.title")}</h1>
      <p class="muted">{t("device.enter_code")}</p>
      <ErrorLine error={props.error} security={props.security} />
      <form method="post" action="/device">
        <input type="hidden" name="csrf" value={props.csrf} />
        <label for="user_code">{t("device.code")}</label>
        <input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" required value={props.userCode} autofocus />
        <button type="submit">{t("device.continue")}</button>
      </form>
    </Layout>
  );
}

export function DeviceLoginPage(props: FormBase & { userCode: string; clientName: string; email: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("login.title")} security={props.security}>
      <h1>{t("login.title")}</h1>
      <p class="muted">{t("device.to_connect", { client: props.clientName })}</p>
      <ErrorLine error={props.error} security={props.security} />
      <form method="post" action="/device">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="user_code" value={props.userCode} />
        <input type="hidden" name="step" value="login" />
        <CredentialFields email={props.email} security={props.security} />
      </form>
    </Layout>
  );
}

export function DeviceApprovePage(props: FormBase & { userCode: string; clientName: string; email: string; scopes: string[] }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("consent.title")} security={props.security}>
      <h1>{t("device.heading", { client: props.clientName })}</h1>
      <ScopeList scopes={props.scopes} security={props.security} />
      <p class="muted">{t("device.code_and_user", { code: props.userCode, email: props.email })}</p>
      <form method="post" action="/device">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="user_code" value={props.userCode} />
        <DecisionButtons security={props.security} />
      </form>
    </Layout>
  );
}

export function DeviceDonePage(props: { security: PageSecurity; approved: boolean }) {
  const t = textOf(props.security);
  const title = t(props.approved ? "device.connected" : "device.denied");
  return (
    <Layout title={title} security={props.security}>
      <h1>{title}</h1>
      <p role="status">{t(props.approved ? "device.connected_text" : "device.denied_text")}</p>
    </Layout>
  );
}
