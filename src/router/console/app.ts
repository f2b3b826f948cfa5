import { admin } from "../endpoints/admin";
import { lazyApp } from "../lazy";
import { adminConsole } from "./index";

/** The admin console's pages (/admin, /admin/console/*) and the JSON operator API, loaded on their first request (../lazy.ts). */
export default lazyApp((app) => app.route("/", adminConsole).route("/admin", admin));
