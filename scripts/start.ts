/**
 * `npm start`: the local devnet (node/src/devnet). Builds the contracts, starts Hardhat's EVM on
 * 127.0.0.1, deploys every contract, starts 5 agent node processes and a requester with the
 * explorer, runs the scenario (a task stream, a DAG, an injected failure, a governance proposal),
 * prints a summary, and keeps running until Ctrl-C. With `--once` it exits after the summary:
 * 0 when every step passed, 1 otherwise. Nothing to configure; nothing leaves the machine.
 * Started again on the same data directory, it resumes: the chain is rebuilt from the data
 * directory's chain journal and the steps already done are skipped (node/src/devnet/README.md).
 *
 *   npm start -- --once [--data-dir <dir>] [--agents <n>] [--rpc <url>]
 *   npm start -- --chain substrate [--data-dir <dir>]
 *
 * `--chain substrate` runs the on-chain steps against a real Asset Hub runtime under chopsticks
 * (pallets-client): this script starts the chain and deploys, since node/ must not import
 * pallets-client, and node/src/devnet/substrate.ts runs the scenario through the ChainAdapter.
 */
const argv = process.argv.slice(2);
const chainAt = argv.indexOf("--chain");
const chain = chainAt >= 0 ? argv[chainAt + 1] : undefined;

if (chain !== "substrate") {
  process.argv.splice(2, 0, "devnet");
  await import("../node/src/cli/main.ts");
} else {
  const path = await import("node:path");
  const { Keyring } = await import("@polkadot/keyring");
  const { cryptoWaitReady } = await import("@polkadot/util-crypto");
  const { startDevChain, SubstrateClient, deployAinurSubstrate, DEFAULT_DEV_ACCOUNTS } =
    await import("../pallets-client/src/index.ts");
  const { runSubstrateScenario } = await import("../node/src/devnet/substrate.ts");
  const { DEFAULT_DATA_DIR } = await import("../node/src/cli/context.ts");
  const say = (line: string): void => console.log(`ainur | ${line}`);
  const dataAt = argv.indexOf("--data-dir");
  const dataDir = path.resolve(dataAt >= 0 ? argv[dataAt + 1]! : DEFAULT_DATA_DIR + "-substrate");
  const UNIT = 10n ** 12n;
  const agents = [1, 2, 3, 4, 5].map((i) => `//AinurAgent${i}`);
  await cryptoWaitReady();
  const keyring = new Keyring({ type: "sr25519" });
  const pair = (uri: string) => keyring.addFromUri(uri);
  say("starting chopsticks (Rococo Asset Hub runtime) on 127.0.0.1");
  const devChain = await startDevChain({ endow: [...DEFAULT_DEV_ACCOUNTS, ...agents] });
  say(`Substrate dev chain on ${devChain.endpoint} (up in ${(devChain.startupMs / 1000).toFixed(1)} s)`);
  let code = 1;
  const client = await SubstrateClient.connect({ endpoint: devChain.endpoint, timeoutMs: 60_000 });
  try {
    const [alice, bob, charlie, , , ferdie] = DEFAULT_DEV_ACCOUNTS.map(pair);
    const deployment = await deployAinurSubstrate(client, {
      members: [alice!.address, bob!.address, charlie!.address],
      threshold: 2,
      signers: [alice!, bob!],
      funder: alice!,
      creditIssuer: charlie!.address,
      defaultArbiter: ferdie!.address,
      stakeHolders: agents.map((uri) => ({ address: pair(uri).address, amount: 500n * UNIT })),
    });
    say("deployed Ainur on Substrate: governance multisig, stake and credit assets, vault and pool proxies");
    const summary = await runSubstrateScenario(
      {
        endpoint: devChain.endpoint,
        deployment,
        governance: ["//Alice", "//Bob"],
        requester: "//Eve",
        arbiter: "//Ferdie",
        agents,
        unit: UNIT,
        stakeUnit: UNIT,
        advanceTime: async (seconds) => {
          const now = Number((await client.api.query.timestamp.now()).toString());
          await devChain.timeTravel(now + seconds * 1000);
        },
      },
      dataDir,
      say,
    );
    code = summary.ok ? 0 : 1;
  } catch (error) {
    say(`✘ substrate devnet: ${(error as Error).message}`);
  } finally {
    await client.close();
    await devChain.stop();
  }
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  process.exit(code);
}
