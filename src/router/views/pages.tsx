import { SCOPE_DESCRIPTIONS } from "../../oauth/scopes";
import { Layout, type PageSecurity } from "./layout";
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
  return (
    <Layout title="Sign in" security={props.security}>
      <h1>Sign in</h1>
      <p class="muted">to continue to {props.clientName}</p>
      {props.error ? (
        <p class="error" role="alert" id="login-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="login">
        <input type="hidden" name="interaction" value={props.interaction} />
        <CredentialFields email={props.email} />
        {/* Email sign-in and reset (src/router/email): the same form, sent elsewhere, password not needed. */}
        <button type="submit" class="secondary" formaction="email-login" formnovalidate>Email me a code</button>
        <button type="submit" class="secondary" formaction="forgot-password" formnovalidate>Forgot password?</button>
        {props.signup ? <button type="submit" class="secondary" formaction="signup-start" formnovalidate>Create an account</button> : null}
        {/* Federation (src/router/federation): sign in with an upstream provider. */}
        <UpstreamButtons upstreams={props.upstreams ?? []} />
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
}

export function ConsentPage(props: ConsentPageProps) {
  return (
    <Layout title="Allow access" security={props.security}>
      <h1>Allow {props.clientName} to:</h1>
      <ScopeList scopes={props.scopes} />
      <p class="muted">Signed in as {props.email}</p>
      <form method="post" action="consent">
        <input type="hidden" name="interaction" value={props.interaction} />
        <DecisionButtons />
      </form>
    </Layout>
  );
}

/** Email, password and the Sign in button (the login page and the device page's sign-in step). */
export function CredentialFields(props: { email: string }) {
  return (
    <>
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required value={props.email} autofocus={!props.email} />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required autofocus={!!props.email} />
      <button type="submit">Sign in</button>
    </>
  );
}

/** The scopes a client asks for, in plain words (consent and device approval). */
export function ScopeList(props: { scopes: readonly string[] }) {
  return (
    <ul>
      {props.scopes.map((scope) => (
        <li>{SCOPE_DESCRIPTIONS[scope] ?? scope}</li>
      ))}
    </ul>
  );
}

/** Allow and Deny, as the form's `decision`. */
export function DecisionButtons() {
  return (
    <>
      <button type="submit" name="decision" value="allow">
        Allow
      </button>
      <button type="submit" name="decision" value="deny" class="secondary">
        Deny
      </button>
    </>
  );
}

export function ErrorPage(props: { security: PageSecurity; title: string; message: string }) {
  return (
    <Layout title={props.title} security={props.security}>
      <h1>{props.title}</h1>
      <p role="alert">{props.message}</p>
      <p class="muted">Return to the application and try again.</p>
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
          <button type="submit">Continue</button>
        </noscript>
      </form>
      <script nonce={props.security.nonce} dangerouslySetInnerHTML={{ __html: `document.getElementById("response").submit()` }} />
    </Layout>
  );
}
