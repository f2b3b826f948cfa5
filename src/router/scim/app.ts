import { lazyApp } from "../lazy";
import { scim } from "./index";

/** SCIM 2.0 provisioning (RFC 7644), loaded on its first request (../lazy.ts). */
export default lazyApp((app) => app.route("/scim/v2", scim));
