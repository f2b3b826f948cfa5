// Operator commands for OAuth clients: `npm run clients -- <command> [options]`.
import { runCommands } from "./lib/admin-commands.ts";
import { CLIENT_COMMANDS } from "./lib/client-commands.ts";
import { INITIAL_TOKEN_COMMANDS } from "./lib/initial-token-commands.ts";

runCommands("clients", { ...CLIENT_COMMANDS, ...INITIAL_TOKEN_COMMANDS });
