// Operator commands for upstream identity providers: `npm run federation -- <command> [options]`.
import { runCommands } from "./lib/admin-commands.ts";
import { FEDERATION_COMMANDS } from "./lib/federation-commands.ts";

runCommands("federation", FEDERATION_COMMANDS);
