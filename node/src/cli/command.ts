/** The shape of one `ainur` command. */
import type { ParseArgsConfig } from "node:util";
import type { GlobalFlags } from "./context.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>[string] & {
  description: string;
  placeholder?: string;
};

export interface CommandResult {
  /** What a person reads. */
  human: string;
  /** What `--json` prints. */
  json: unknown;
  /** Default 0. */
  exitCode?: number;
}

export interface CommandArgs {
  flags: GlobalFlags & Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Progress lines (stderr in --json mode, stdout otherwise). */
  say: (line: string) => void;
}

export interface Command {
  /** e.g. ["agent", "register"]. */
  path: string[];
  summary: string;
  /** Positional arguments, e.g. "<proof-file>". */
  args?: string;
  /** Longer help text. */
  details?: string;
  options?: Record<string, OptionSpec>;
  /** Needs the chain flags (--rpc, --deployments, --key). */
  chain?: boolean;
  run(args: CommandArgs): Promise<CommandResult>;
}
