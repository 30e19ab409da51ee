/**
 * `npm start`: the local devnet (node/src/devnet). Builds the contracts, starts Hardhat's EVM on
 * 127.0.0.1, deploys every contract, starts 5 agent node processes and a requester with the
 * explorer, runs the scenario (a task stream, a DAG, an injected failure, a governance proposal),
 * prints a summary, and keeps running until Ctrl-C. With `--once` it exits after the summary:
 * 0 when every step passed, 1 otherwise. Nothing to configure; nothing leaves the machine.
 *
 *   npm start -- --once [--data-dir <dir>] [--agents <n>] [--rpc <url>] [--chain evm|substrate]
 */
process.argv.splice(2, 0, "devnet");
await import("../node/src/cli/main.ts");
