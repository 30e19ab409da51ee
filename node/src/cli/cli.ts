/**
 * The `ainur` command line: finds the command, parses its flags, runs it, prints a human answer
 * (or JSON with --json) and returns the exit code (see errors.ts: 0 ok, 1 failed, 2 usage, 3
 * environment).
 */
import { parseArgs } from "node:util";
import type { Command, OptionSpec } from "./command.ts";
import { EXIT, EnvironmentError, UsageError } from "./errors.ts";
import { COMMANDS } from "./commands/index.ts";
import { ChainTransactionError, ContractNotDeployedError } from "../chain/evm/index.ts";

const GLOBAL: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "print the result as JSON" },
  help: { type: "boolean", short: "h", description: "show this help" },
};
const CHAIN: Record<string, OptionSpec> = {
  rpc: {
    type: "string",
    placeholder: "url",
    description: "JSON-RPC URL (default: AINUR_RPC_URL, else the running devnet)",
  },
  deployments: {
    type: "string",
    placeholder: "file",
    description: "deployments file (default: AINUR_DEPLOYMENTS, else the devnet's)",
  },
  key: {
    type: "string",
    placeholder: "0x…",
    description: "private key that signs (default: AINUR_KEY, else the devnet deployer)",
  },
  "data-dir": {
    type: "string",
    placeholder: "dir",
    description: "devnet data directory (default .ainur/devnet)",
  },
};

function optionsOf(command: Command): Record<string, OptionSpec> {
  return { ...GLOBAL, ...(command.chain ? CHAIN : {}), ...(command.options ?? {}) };
}

export function usage(command: Command): string {
  const lines = [
    `ainur ${command.path.join(" ")}${command.args ? " " + command.args : ""} [options]`,
    "",
    command.summary,
  ];
  if (command.details) lines.push("", command.details);
  lines.push("", "Options:");
  for (const [name, spec] of Object.entries(optionsOf(command))) {
    const flag = `--${name}${spec.type === "string" ? ` <${spec.placeholder ?? "value"}>` : ""}`;
    lines.push(`  ${flag.padEnd(30)} ${spec.description}`);
  }
  return lines.join("\n");
}

export function overview(prefix: string[] = []): string {
  const matching = COMMANDS.filter((c) => prefix.every((p, i) => c.path[i] === p));
  const lines = [
    "ainur: the Ainur node, devnet and tools for operators, requesters, auditors and DAO members",
    "",
    "Usage: ainur <command> [options]        ainur <command> --help for a command's options",
    "",
    "Commands:",
  ];
  for (const c of matching)
    lines.push(`  ${(c.path.join(" ") + (c.args ? " " + c.args : "")).padEnd(34)} ${c.summary}`);
  lines.push(
    "",
    "Every command takes --json. Exit codes: 0 ok, 1 failed or invalid, 2 usage error, 3 missing environment.",
  );
  return lines.join("\n");
}

function find(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((p, i) => argv[i] === p) && (best === undefined || c.path.length > best.path.length))
      best = c;
  }
  return best === undefined ? undefined : { command: best, rest: argv.slice(best.path.length) };
}

const stringify = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t + "\n"),
  err: (t) => process.stderr.write(t + "\n"),
};

/** Runs the command line and returns the exit code. */
export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
  const json = argv.includes("--json");
  const found = find(argv);
  if (found === undefined) {
    const head = argv.filter((a) => !a.startsWith("-"));
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      io.out(overview());
      return EXIT.ok;
    }
    const group = COMMANDS.some((c) => c.path[0] === head[0]) ? [head[0]!] : [];
    if (group.length > 0 && (argv.includes("--help") || head.length === 1)) {
      io.out(overview(group));
      return argv.includes("--help") ? EXIT.ok : EXIT.usage;
    }
    const message = `Unknown command "${head.join(" ")}".`;
    if (json) io.out(stringify({ ok: false, error: { name: "UsageError", message } }));
    else io.err(`ainur: ${message}\n\n${overview(group)}`);
    return EXIT.usage;
  }
  const { command, rest } = found;
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(usage(command));
    return EXIT.ok;
  }
  const say = json ? io.err : io.out;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: optionsOf(command), allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError(command.path.join(" "), (error as Error).message);
    }
    const result = await command.run({
      flags: parsed.values as never,
      positionals: parsed.positionals,
      say,
    });
    const code = result.exitCode ?? EXIT.ok;
    if (json) io.out(stringify({ ok: code === EXIT.ok, ...(result.json as object) }));
    else io.out(result.human);
    return code;
  } catch (error) {
    const e = error as Error;
    const code =
      e instanceof UsageError
        ? EXIT.usage
        : e instanceof EnvironmentError ||
            e instanceof ContractNotDeployedError ||
            e.name === "NodeConfigError"
          ? EXIT.environment
          : EXIT.failed;
    if (json) io.out(stringify({ ok: false, error: { name: e.name, message: e.message } }));
    else {
      io.err(`ainur ${command.path.join(" ")}: ${e.message}`);
      if (e instanceof UsageError) io.err("\n" + usage(command));
    }
    if (e instanceof ChainTransactionError && !json) io.err(`(the contract refused: ${e.reason})`);
    return code;
  }
}
