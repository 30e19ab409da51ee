import { expect } from "chai";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import {
  BalancesPallet,
  ConnectionLostError,
  DispatchError,
  InsufficientFundsError,
  SubstrateClient,
  SystemPallet,
  TransactionRejectedError,
  UniquesPallet,
  startDevChain,
  startTcpRelay,
  type DevChain,
  type TcpRelay,
} from "../../pallets-client/src/index.ts";

/** Count `system.Remarked` events with this hash since block `from`. */
async function countRemarks(client: SubstrateClient, from: number, remark: string): Promise<number> {
  const hash = SystemPallet.remarkHash(remark);
  const head = (await client.api.rpc.chain.getHeader()).number.toNumber();
  let n = 0;
  for (let b = from; b <= head; b++) {
    const events = await client.eventsAt((await client.api.rpc.chain.getBlockHash(b)).toHex());
    n += events.filter(
      (r) =>
        r.event.section === "system" && r.event.method === "Remarked" && r.event.data[1]!.toString() === hash,
    ).length;
  }
  return n;
}

describe("pallets-client: robust submission (chopsticks)", function () {
  let chain: DevChain;
  let relay: TcpRelay;
  let client: SubstrateClient;
  let alice: KeyringPair;
  let poor: KeyringPair;

  before(async function () {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: "sr25519" });
    alice = keyring.addFromUri("//Alice");
    poor = keyring.addFromUri("//AinurPoor");
    chain = await startDevChain();
    relay = await startTcpRelay(chain.port);
    client = await SubstrateClient.connect({ endpoint: relay.endpoint, timeoutMs: 60_000 });
  });

  after(async function () {
    await client?.close();
    await relay?.close();
    await chain?.stop();
  });

  it("returns a receipt with the block, the extrinsic index and the events", async function () {
    const receipt = await client.submit(alice, new SystemPallet(client.api).remarkWithEvent("receipt"));
    expect(receipt.blockNumber).to.be.greaterThan(1);
    expect(receipt.extrinsicIndex).to.be.gte(0);
    expect(receipt.events.map((e) => `${e.section}.${e.method}`)).to.include("system.Remarked");
  });

  it("retries when another client used the same nonce (two clients, one signer, concurrent)", async function () {
    const other = await SubstrateClient.connect({ endpoint: chain.endpoint });
    try {
      const from = (await client.api.rpc.chain.getHeader()).number.toNumber() + 1;
      const results = await Promise.allSettled([
        client.submit(alice, new SystemPallet(client.api).remarkWithEvent("race-a")),
        other.submit(alice, new SystemPallet(other.api).remarkWithEvent("race-b")),
        client.submit(alice, new SystemPallet(client.api).remarkWithEvent("race-c")),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "fulfilled", "fulfilled"]);
      for (const remark of ["race-a", "race-b", "race-c"])
        expect(await countRemarks(client, from, remark)).to.equal(1);
    } finally {
      await other.close();
    }
  });

  it("decodes a dispatch error into the pallet's name, error and docs", async function () {
    const err = await client
      .submit(alice, new UniquesPallet(client.api).transfer(424242, 0, alice.address))
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DispatchError);
    expect((err as DispatchError).pallet).to.equal("uniques");
    expect((err as DispatchError).error).to.equal("UnknownClass");
    expect((err as DispatchError).docs)
      .to.be.a("string")
      .and.not.equal("");
  });

  it("an account that cannot pay the fee gets InsufficientFundsError, not a hang", async function () {
    const err = await client
      .submit(poor, new SystemPallet(client.api).remarkWithEvent("no fee"))
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(InsufficientFundsError);
    expect((err as InsufficientFundsError).account).to.equal(poor.address);
  });

  it("a call the runtime refuses to decode is a TransactionRejectedError", async function () {
    // A Uniques attribute longer than the runtime's bound fails validation (wasm panic, RPC 1011).
    const tx = new UniquesPallet(client.api).setAttribute(1, 0, "k", "x".repeat(200));
    const err = await client.submit(alice, tx).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TransactionRejectedError);
  });

  it("survives a dropped connection during submission: reconnects, and includes the call exactly once", async function () {
    const from = (await client.api.rpc.chain.getHeader()).number.toNumber() + 1;
    const pending = client.submit(alice, new SystemPallet(client.api).remarkWithEvent("through a drop"));
    setTimeout(() => relay.drop(), 20);
    const receipt = await pending;
    expect(receipt.events.map((e) => `${e.section}.${e.method}`)).to.include("system.Remarked");
    expect(await countRemarks(client, from, "through a drop")).to.equal(1);
    // And the connection is usable again.
    expect(await new BalancesPallet(client.api).free(alice.address)).to.be.greaterThan(0n);
  });

  it("an unreachable endpoint fails with ConnectionLostError within the timeout", async function () {
    const closed = await startTcpRelay(1); // relays to a port nothing listens on
    const err = await SubstrateClient.connect({ endpoint: closed.endpoint, timeoutMs: 1_500 }).catch(
      (e: unknown) => e,
    );
    await closed.close();
    expect(err).to.be.instanceOf(ConnectionLostError);
  });
});
