import { registration } from "../endpoints/register";
import { lazyApp } from "../lazy";

/** Dynamic client registration (RFC 7591/7592), loaded on its first request (../lazy.ts). */
export default lazyApp((app) => app.route("/", registration));
