/**
 * Substrate figures on chopsticks (Rococo Asset Hub runtime, in process, Instant block mode):
 * - substrate.startup_s: from the call to a chain answering with head ≥ #1 and dev accounts funded;
 * - substrate.tx_inclusion_p50_ms: a signed `system.remarkWithEvent` from submission to its inclusion
 *   receipt (through SubstrateClient: explicit nonce, watch, events decoded), median of 20 sequential.
 */
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { SubstrateClient, SystemPallet, startDevChain } from "../../pallets-client/src/index.ts";
import { median, type BenchSuite } from "./types.ts";

const TXS = 20;

const suite: BenchSuite = {
  name: "substrate",
  ids: ["substrate.startup_s", "substrate.tx_inclusion_p50_ms"],
  async run(selected) {
    await cryptoWaitReady();
    const started = performance.now();
    const chain = await startDevChain();
    const startup = (performance.now() - started) / 1000;
    const results = [
      { id: "substrate.startup_s", value: Number(startup.toFixed(2)), unit: "s", better: "lower" as const },
    ];
    if (!selected("substrate.tx_inclusion_p50_ms")) {
      await chain.stop();
      return results;
    }
    const client = await SubstrateClient.connect({ endpoint: chain.endpoint });
    try {
      const alice = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
      const system = new SystemPallet(client.api);
      await client.submit(alice, system.remarkWithEvent("warm-up"));
      const samples: number[] = [];
      for (let i = 0; i < TXS; i++) {
        const t = performance.now();
        await client.submit(alice, system.remarkWithEvent(`bench:${i}`));
        samples.push(performance.now() - t);
      }
      results.push({
        id: "substrate.tx_inclusion_p50_ms",
        value: Number(median(samples).toFixed(1)),
        unit: "ms",
        better: "lower",
      });
      return results;
    } finally {
      await client.close();
      await chain.stop();
    }
  },
};

export default suite;
