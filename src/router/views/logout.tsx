import { Layout, type PageSecurity } from "./layout";

/** RP-Initiated Logout 1.0 §6: a logout nobody can vouch for is confirmed by the person. */
export function LogoutConfirmPage(props: { security: PageSecurity; clientName: string | null; confirmation: string }) {
  return (
    <Layout title="Sign out" security={props.security}>
      <h1>Sign out?</h1>
      <p>
        {props.clientName ? `${props.clientName} asks to sign you out.` : "You are about to sign out."} Applications that rely on this
        sign-in will ask you to sign in again.
      </p>
      <form method="post" action="logout">
        <input type="hidden" name="confirmation" value={props.confirmation} />
        <button type="submit" name="decision" value="logout">
          Sign out
        </button>
      </form>
      <p class="muted">If you did not ask to sign out, close this page: you stay signed in.</p>
    </Layout>
  );
}

export function SignedOutPage(props: { security: PageSecurity; clientName: string | null }) {
  return (
    <Layout title="Signed out" security={props.security}>
      <h1>You are signed out</h1>
      <p role="status">{props.clientName ? `You have signed out of ${props.clientName}.` : "Your session has ended."}</p>
      <p class="muted">You can close this page.</p>
    </Layout>
  );
}
