import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import {
  AinurLedger,
  SubstrateClient,
  deployAinurSubstrate,
  startDevChain,
  startTcpRelay,
  type DevChain,
} from "../../../pallets-client/src/index.ts";
import { createSubstrateAdapter } from "../../../node/src/chain/substrate/index.ts";
import { runChainAdapterCompliance } from "./compliance.ts";

const UNIT = 10n ** 12n;

runChainAdapterCompliance("substrate (chopsticks, Rococo Asset Hub)", async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: "sr25519" });
  const [alice, bob, charlie, dave, eve, ferdie] = [
    "//Alice",
    "//Bob",
    "//Charlie",
    "//Dave",
    "//Eve",
    "//Ferdie",
  ].map((uri) => keyring.addFromUri(uri)) as [
    ReturnType<typeof keyring.addFromUri>,
    ...ReturnType<typeof keyring.addFromUri>[],
  ];
  const outsider = keyring.addFromUri("//AinurOutsider");
  const chain: DevChain = await startDevChain();
  const relay = await startTcpRelay(chain.port);
  let client: SubstrateClient | undefined;
  try {
    await chain.endow([outsider.address], 10n * UNIT);
    client = await SubstrateClient.connect({ endpoint: `ws://127.0.0.1:${relay.port}`, timeoutMs: 60_000 });
    const deployment = await deployAinurSubstrate(client, {
      members: [alice.address, bob!.address, charlie!.address],
      threshold: 2,
      signers: [alice, bob!],
      funder: alice,
      creditIssuer: charlie!.address,
      defaultArbiter: ferdie!.address,
      stakeHolders: [{ address: dave!.address, amount: 300n * UNIT }],
    });
    const ledger = new AinurLedger(client.api, deployment);
    const make = (signer: typeof alice, governance = false) =>
      createSubstrateAdapter(
        {
          endpoint: client!.endpoint,
          deployment,
          signer,
          governanceSigners: governance ? [alice, bob!] : [],
        },
        { client, ledger },
      );
    const world = {
      governance: make(alice, true),
      requester: make(eve!),
      agent: make(dave!),
      arbiter: make(ferdie!),
      issuer: make(charlie!),
      outsider: make(outsider),
    };
    for (const a of Object.values(world)) await a.start();
    const shared = client;
    return {
      ...world,
      unit: UNIT,
      minimumStake: deployment.params.minimumStake,
      advanceTime: async (seconds: number) => {
        const now = Number((await shared.api.query.timestamp.now()).toString());
        await chain.timeTravel(now + seconds * 1000);
      },
      dropConnections: async () => {
        relay.drop();
      },
      close: async () => {
        for (const a of Object.values(world)) await a.stop();
        await shared.close();
        await relay.close();
        await chain.stop();
      },
    };
  } catch (err) {
    await client?.close();
    await relay.close();
    await chain.stop();
    throw err;
  }
});
