/** Every `ainur` command, in the order `ainur --help` lists them. */
import type { Command } from "../command.ts";
import { agentCommands } from "./agent.ts";
import { auditCommands } from "./audit.ts";
import { govCommands } from "./gov.ts";
import { miscCommands } from "./misc.ts";
import { runCommands } from "./run.ts";
import { taskCommands } from "./task.ts";

export const COMMANDS: Command[] = [
  ...runCommands,
  ...agentCommands,
  ...taskCommands,
  ...miscCommands.filter((c) => c.path[0] === "bid"),
  ...auditCommands,
  ...govCommands,
  ...miscCommands.filter((c) => c.path[0] === "credits"),
];
