/**
 * `node watchdog.ts <command> [args…]`: runs the command and stops it when this process's stdin
 * closes, that is when the devnet that started us goes away, even by SIGKILL. The devnet runs
 * `hardhat node` under it so that no chain outlives the devnet.
 */
import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write("usage: node watchdog.ts <command> [args…]\n");
  process.exit(2);
}
const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
const stop = (): void => {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
};
process.stdin.once("close", stop);
process.stdin.resume();
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
child.once("exit", (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)));
