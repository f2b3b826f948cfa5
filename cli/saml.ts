// Operator commands for the SAML 2.0 identity provider: `npm run saml -- <command> [options]`.
import { runCommands } from "./lib/admin-commands.ts";
import { SAML_COMMANDS } from "./lib/saml-commands.ts";

runCommands("saml", SAML_COMMANDS);
