import type { Delivery } from "../authorize/respond";
import type { AppEnv } from "../types";

/** The pages' Hono environment: besides the config, what their error handler needs to know. */
export interface PagesEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & {
    /** Set once the client and redirect URI are validated: errors may then go to the client. */
    delivery?: Delivery;
    /** What the person asked for, for the error page's title. */
    request?: "sign-in" | "sign-out";
  };
}
