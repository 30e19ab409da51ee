import net from "node:net";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import {
  AinurLedger,
  SubstrateClient,
  deployAinurSubstrate,
  startDevChain,
  type DevChain,
} from "../../../pallets-client/src/index.ts";
import { createSubstrateAdapter } from "../../../node/src/chain/substrate/index.ts";
import { runChainAdapterCompliance } from "./compliance.ts";

const UNIT = 10n ** 12n;

/** A TCP relay on 127.0.0.1 in front of the chain, so a test can cut every connection at once. */
async function startRelay(
  targetPort: number,
): Promise<{ port: number; drop(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: "127.0.0.1", port: targetPort });
    sockets.add(client).add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    drop: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

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
  const relay = await startRelay(chain.port);
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
