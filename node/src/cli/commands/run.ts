/** `ainur node start --config <file>` and `ainur devnet`: the long-running commands. */
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";

/**
 * Resolves on SIGINT or SIGTERM; with AINUR_STOP_ON_STDIN_EOF=1 (the devnet sets it for the nodes
 * it spawns) also when stdin closes, so a node never outlives a parent that was killed outright.
 */
const untilSignal = (): Promise<string> =>
  new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
    if (process.env.AINUR_STOP_ON_STDIN_EOF === "1") {
      process.stdin.once("close", () => resolve("the parent process went away"));
      process.stdin.resume();
    }
  });

export const runCommands: Command[] = [
  {
    path: ["node", "start"],
    summary: "run an agent or requester node from a config file until Ctrl-C",
    details:
      'Prints one JSON line {"ready":{…}} once the node is up (peer id, addresses, DID, API URL).\n' +
      "See docs/operators.md for the config file.",
    options: { config: { type: "string", placeholder: "file", description: "the node's JSON config" } },
    async run({ flags, say }) {
      const file = flags.config as string | undefined;
      if (file === undefined) throw new UsageError("node start", "--config <file> is required.");
      const { AinurNode, loadNodeConfig } = await import("../../node/index.ts");
      const config = await loadNodeConfig(file);
      const node = await AinurNode.create(config, (line) => say(`${config.name} | ${line}`));
      await node.start();
      const c = node.components;
      process.stdout.write(
        JSON.stringify({
          ready: {
            name: config.name,
            role: config.role,
            peerId: c.transport.peerId,
            addresses: c.transport.addresses(),
            address: c.chain.address,
            did: c.agent?.state?.did ?? null,
            api: c.api?.url ?? null,
            explorer: c.explorer?.url ?? null,
          },
        }) + "\n",
      );
      const signal = await untilSignal();
      say(`${config.name} | ${signal}: stopping`);
      await node.stop();
      return { human: `${config.name} stopped`, json: { stopped: config.name } };
    },
  },
  {
    path: ["devnet"],
    summary: "the whole network on this machine: chain, contracts, 5 agents, a requester, the scenario",
    details:
      "Same as `npm start`. With --once it runs the scenario, prints the summary and exits 0 only if every step passed.",
    options: {
      once: { type: "boolean", description: "run the scenario once and exit" },
      chain: {
        type: "string",
        placeholder: "evm|substrate",
        description: "where the on-chain steps run (default evm)",
      },
      "data-dir": {
        type: "string",
        placeholder: "dir",
        description: "state directory (default .ainur/devnet)",
      },
      agents: { type: "string", placeholder: "n", description: "agent node processes (default 5)" },
      rpc: {
        type: "string",
        placeholder: "url",
        description: "use this running chain instead of starting one (resumes)",
      },
    },
    async run({ flags }) {
      const { runDevnet } = await import("../../devnet/index.ts");
      const summary = await runDevnet({
        once: flags.once === true,
        chain: ((flags.chain as string | undefined) ?? "evm") as "evm" | "substrate",
        ...(flags["data-dir"] === undefined ? {} : { dataDir: flags["data-dir"] as string }),
        ...(flags.agents === undefined ? {} : { agents: Number(flags.agents) }),
        ...(flags.rpc === undefined ? {} : { rpcUrl: flags.rpc as string }),
      });
      // The devnet printed its progress and summary as it went.
      return {
        human: summary.ok ? "devnet: every step passed" : "devnet: some steps failed (see above)",
        json: summary,
        exitCode: summary.ok ? 0 : 1,
      };
    },
  },
];
