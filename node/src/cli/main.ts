#!/usr/bin/env node
/** The `ainur` command (package.json `bin`). Runs on Node ≥ 22.18 with type stripping. */

// node:sqlite (the event log and the lineage store) is flagged experimental in Node 22: keep that
// one warning off the user's terminal, and print every other warning as usual.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "ExperimentalWarning" && /SQLite/.test(warning.message)) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const { runCli } = await import("./cli.ts");
const code = await runCli(process.argv.slice(2));
// snarkjs leaves worker threads behind; end them so the process can exit.
await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
// Long-running commands leave sockets and timers of stopped components behind: exit explicitly
// (stdout and stderr are synchronous for files and pipes on Linux, so nothing is lost).
process.exit(code);
