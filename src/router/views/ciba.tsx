import { CredentialFields, DecisionButtons, ScopeList } from "./pages";
import { Layout, type PageSecurity } from "./layout";
import type { CibaPending } from "../../actors/user-shard/api";

/** CIBA's pages (CIBA Core §8: the OP authenticates the user and asks for consent): sign in, approve; no JavaScript. */

interface FormBase {
  security: PageSecurity;
  /** The CSRF form value bound to this browser's CSRF cookie. */
  csrf: string;
  /** `<bucket>.<request id>` of the approval link. */
  request: string;
}

function ErrorLine(props: { error: string | null }) {
  return props.error ? (
    <p class="error" role="alert" id="ciba-error">
      {props.error}
    </p>
  ) : null;
}

export function CibaLoginPage(props: FormBase & { clientName: string; email: string; error: string | null }) {
  return (
    <Layout title="Sign in" security={props.security}>
      <h1>Sign in</h1>
      <p class="muted">{props.clientName} asks you to confirm a sign-in</p>
      <ErrorLine error={props.error} />
      <form method="post" action="/ciba">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="request" value={props.request} />
        <input type="hidden" name="step" value="login" />
        <CredentialFields email={props.email} />
      </form>
    </Layout>
  );
}

export function CibaApprovePage(props: FormBase & { clientName: string; email: string; scopes: string[]; bindingMessage: string | null }) {
  return (
    <Layout title="Confirm sign-in" security={props.security}>
      <h1>{props.clientName} asks you to sign in and allow it to:</h1>
      <ScopeList scopes={props.scopes} />
      {props.bindingMessage ? (
        <p>
          Check that the application shows this message: <strong id="binding-message">{props.bindingMessage}</strong>
        </p>
      ) : null}
      <p class="muted">Signed in as {props.email}</p>
      <form method="post" action="/ciba">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="request" value={props.request} />
        <DecisionButtons />
      </form>
    </Layout>
  );
}

export function CibaDonePage(props: { security: PageSecurity; approved: boolean }) {
  return (
    <Layout title={props.approved ? "Sign-in confirmed" : "Request denied"} security={props.security}>
      <h1>{props.approved ? "Sign-in confirmed" : "Request denied"}</h1>
      <p role="status">{props.approved ? "You can return to the application; it will continue on its own." : "The application was not given access."}</p>
    </Layout>
  );
}

/** /dev/ciba (local development only): pending requests with their approval links. */
export function CibaDevListing(props: { security: PageSecurity; requests: Array<CibaPending & { link: string }> }) {
  return (
    <Layout title="Pending CIBA requests" security={props.security}>
      <h1>Pending CIBA requests</h1>
      <p class="muted">Local development only: what the authentication device would be sent.</p>
      {props.requests.length === 0 ? <p>None.</p> : null}
      <ul>
        {props.requests.map((r) => (
          <li>
            user {r.userId} · client {r.clientId} · {r.scope}
            {r.bindingMessage ? ` · “${r.bindingMessage}”` : ""} · <a href={r.link}>approve or deny</a>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
