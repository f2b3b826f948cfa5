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

/** How long the page waits for the frames before moving on: a hung client must not keep the person here. */
export const FRONTCHANNEL_WAIT_MS = 3_000;

const CONTINUE_SCRIPT = `(function(){var f=document.querySelectorAll("iframe.logout"),n=f.length,l=document.getElementById("next"),done=false;
function go(){if(!done&&l){done=true;location.replace(l.href)}}
for(var i=0;i<f.length;i++)f[i].addEventListener("load",function(){if(--n<=0)go()});
setTimeout(go,${FRONTCHANNEL_WAIT_MS});if(n===0)go()})();`;

/**
 * Front-Channel Logout 1.0 §3: the signed-out page frames each client's front-channel logout
 * URI, then (with a post_logout_redirect_uri) goes on to it once they have loaded or after
 * FRONTCHANNEL_WAIT_MS; without JavaScript, a link and a delayed refresh do the same.
 */
export function FrontchannelLogoutPage(props: { security: PageSecurity; clientName: string | null; frames: string[]; next: string | null }) {
  return (
    <Layout title="Signed out" security={props.security}>
      <h1>You are signed out</h1>
      <p role="status">{props.clientName ? `You have signed out of ${props.clientName} and the applications you used with it.` : "Your session has ended in every application you used with it."}</p>
      {props.frames.map((src) => (
        <iframe class="logout" src={src} title="Signing out of an application" width="0" height="0" hidden />
      ))}
      {props.next ? (
        <>
          <p>
            <a id="next" href={props.next}>
              Continue
            </a>
          </p>
          <noscript>
            <meta http-equiv="refresh" content={`${FRONTCHANNEL_WAIT_MS / 1000};url=${props.next}`} />
          </noscript>
          <script nonce={props.security.nonce} dangerouslySetInnerHTML={{ __html: CONTINUE_SCRIPT }} />
        </>
      ) : (
        <p class="muted">You can close this page.</p>
      )}
    </Layout>
  );
}
