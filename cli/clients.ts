// Operator commands for OAuth clients: `npm run clients -- <command> [options]`.
import { runCommands } from "./lib/admin-commands.ts";
import { CLIENT_COMMANDS } from "./lib/client-commands.ts";
import { INITIAL_TOKEN_COMMANDS } from "./lib/initial-token-commands.ts";
import { TRUSTED_ISSUER_COMMANDS } from "./lib/trusted-issuer-commands.ts";
import { BRANDING_COMMANDS } from "./lib/branding-commands.ts";

runCommands("clients", { ...CLIENT_COMMANDS, ...INITIAL_TOKEN_COMMANDS, ...TRUSTED_ISSUER_COMMANDS, ...BRANDING_COMMANDS });
