import { SCOPE_DESCRIPTIONS } from "../../oauth/scopes";
import { Layout, messageOf, textOf, type PageSecurity } from "./layout";
import { isMessageKey, type MessageKey } from "../../i18n";
import { UpstreamButtons } from "./federation";
import { PasskeySignIn } from "./passkeys";

export interface LoginPageProps {
  security: PageSecurity;
  clientName: string;
  interaction: string;
  email: string;
  error: string | null;
  /** Self-service sign-up is on (SIGNUP): a "Create an account" button. */
  signup?: boolean;
  /** Federation: the upstream providers the operator shows here, as buttons. */
  upstreams?: readonly { id: string; name: string }[];
}

export function LoginPage(props: LoginPageProps) {
  const t = textOf(props.security);
  return (
    <Layout title={t("login.title")} security={props.security}>
      <h1>{t("login.title")}</h1>
      <p class="muted">{t("login.to_continue", { client: props.clientName })}</p>
      {props.error ? (
        <p class="error" role="alert" id="login-error">
          {messageOf(props.security, props.error)}
        </p>
      ) : null}
      <form method="post" action="login">
        <input type="hidden" name="interaction" value={props.interaction} />
        <CredentialFields email={props.email} security={props.security} />
        {/* Email sign-in and reset (src/router/email): the same form, sent elsewhere, password not needed. */}
        <button type="submit" class="secondary" formaction="email-login" formnovalidate>{t("login.email_code")}</button>
        <button type="submit" class="secondary" formaction="forgot-password" formnovalidate>{t("login.forgot")}</button>
        {props.signup ? <button type="submit" class="secondary" formaction="signup-start" formnovalidate>{t("login.signup")}</button> : null}
        {/* Federation (src/router/federation): sign in with an upstream provider. */}
        <UpstreamButtons security={props.security} upstreams={props.upstreams ?? []} />
      </form>
      {/* Passkeys (src/router/passkeys): a form of its own, driven by the page's one script. */}
      <PasskeySignIn security={props.security} interaction={props.interaction} />
    </Layout>
  );
}

export interface ConsentPageProps {
  security: PageSecurity;
  clientName: string;
  email: string;
  scopes: string[];
  interaction: string;
  /** RFC 7591 §2: the client's site, privacy policy and terms, when it registered them. */
  links?: { clientUri: string | null; policyUri: string | null; tosUri: string | null };
}

export function ConsentPage(props: ConsentPageProps) {
  const t = textOf(props.security);
  return (
    <Layout title={t("consent.title")} security={props.security}>
      <h1>{t("consent.heading", { client: props.clientName })}</h1>
      <ScopeList scopes={props.scopes} security={props.security} />
      <p class="muted">{t("consent.signed_in_as", { email: props.email })}</p>
      {props.links ? <ClientLinks links={props.links} security={props.security} /> : null}
      <form method="post" action="consent">
        <input type="hidden" name="interaction" value={props.interaction} />
        <DecisionButtons security={props.security} />
      </form>
    </Layout>
  );
}

/** RFC 7591 §2 client_uri, policy_uri, tos_uri: links the person may follow before allowing (https only, registry.ts). */
function ClientLinks(props: { links: NonNullable<ConsentPageProps["links"]>; security: PageSecurity }) {
  const t = textOf(props.security);
  const all: Array<[MessageKey, string | null]> = [["consent.client_uri", props.links.clientUri], ["consent.policy_uri", props.links.policyUri], ["consent.tos_uri", props.links.tosUri]];
  const shown = all.filter((pair): pair is [MessageKey, string] => pair[1] !== null);
  if (shown.length === 0) return null;
  return (
    <p class="muted" id="client-links">
      {t("consent.links")}{" "}
      {shown.map(([key, href], i) => (
        <>
          {i > 0 ? " · " : null}
          <a href={href} rel="noopener noreferrer" target="_blank">
            {t(key)}
          </a>
        </>
      ))}
    </p>
  );
}

/** Email, password and the Sign in button (the login page and the device page's sign-in step). */
export function CredentialFields(props: { email: string; security: PageSecurity }) {
  const t = textOf(props.security);
  return (
    <>
      <label for="email">{t("login.email")}</label>
      <input id="email" name="email" type="email" autocomplete="username" required value={props.email} autofocus={!props.email} />
      <label for="password">{t("login.password")}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required autofocus={!!props.email} />
      <button type="submit">{t("login.submit")}</button>
    </>
  );
}

/** The scopes a client asks for, in plain words (consent and device approval). */
export function ScopeList(props: { scopes: readonly string[]; security: PageSecurity }) {
  const t = textOf(props.security);
  // A scope without a catalog entry keeps its English description (or its name).
  const described = (scope: string) => (isMessageKey(`scope.${scope}`) ? t(`scope.${scope}` as MessageKey) : (SCOPE_DESCRIPTIONS[scope] ?? scope));
  return (
    <ul>
      {props.scopes.map((scope) => (
        <li>{described(scope)}</li>
      ))}
    </ul>
  );
}

/** Allow and Deny, as the form's `decision`. */
export function DecisionButtons(props: { security: PageSecurity }) {
  const t = textOf(props.security);
  return (
    <>
      <button type="submit" name="decision" value="allow">
        {t("consent.allow")}
      </button>
      <button type="submit" name="decision" value="deny" class="secondary">
        {t("consent.deny")}
      </button>
    </>
  );
}

export function ErrorPage(props: { security: PageSecurity; title: string; message: string }) {
  const t = textOf(props.security);
  return (
    <Layout title={props.title} security={props.security}>
      <h1>{props.title}</h1>
      <p role="alert">{messageOf(props.security, props.message)}</p>
      <p class="muted">{t("error.return")}</p>
    </Layout>
  );
}

/** OAuth 2.0 Form Post Response Mode §2: an auto-submitting form (with a button for no-script browsers). */
export function FormPostPage(props: { security: PageSecurity; action: string; fields: Record<string, string> }) {
  return (
    <Layout title="Continue" security={props.security}>
      <form method="post" action={props.action} id="response">
        {Object.entries(props.fields).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <noscript>
          <button type="submit">{textOf(props.security)("form_post.continue")}</button>
        </noscript>
      </form>
      <script nonce={props.security.nonce} dangerouslySetInnerHTML={{ __html: `document.getElementById("response").submit()` }} />
    </Layout>
  );
}
