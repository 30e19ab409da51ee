import { expect } from "chai";
import net from "node:net";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import { blake2AsHex, cryptoWaitReady } from "@polkadot/util-crypto";
import { stringToU8a, u8aToHex } from "@polkadot/util";
import { startDevChain, type DevChain } from "../../pallets-client/src/dev-chain.ts";

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("chopsticks: the Rococo Asset Hub runtime on 127.0.0.1", function () {
  let chain: DevChain;
  let api: ApiPromise;

  before(async function () {
    chain = await startDevChain();
    api = await ApiPromise.create({ provider: new WsProvider(chain.endpoint), noInitWarn: true });
    await api.isReadyOrError;
  });

  after(async function () {
    await api?.disconnect();
    await chain?.stop();
  });

  it("listens on 127.0.0.1 only and runs Asset Hub spec 900 with head ≥ #1", async function () {
    expect(chain.endpoint).to.match(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(api.runtimeVersion.specName.toString()).to.equal("statemine");
    expect(api.runtimeVersion.specVersion.toNumber()).to.equal(900);
    const header = await api.rpc.chain.getHeader();
    expect(header.number.toNumber()).to.be.gte(1);
    for (const pallet of ["system", "balances", "utility", "multisig", "proxy", "assets", "uniques"]) {
      expect(api.tx, pallet).to.have.property(pallet);
    }
  });

  it("funds //Alice through dev_setStorage", async function () {
    await cryptoWaitReady();
    const alice = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
    const account = await api.query.system.account(alice.address);
    expect(account.data.free.toBigInt()).to.equal(10n ** 18n);
  });

  it("includes a remarkWithEvent signed by //Alice and reads its Remarked event back", async function () {
    await cryptoWaitReady();
    const alice = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
    const remark = "ainur:phase1";
    const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    const { blockHash, events, ok } = await new Promise<{ blockHash: string; events: string[]; ok: boolean }>(
      (resolve, reject) => {
        api.tx.system
          .remarkWithEvent(remark)
          .signAndSend(alice, { nonce }, (result) => {
            if (result.isError) reject(new Error(`transaction failed: ${result.status.type}`));
            if (result.status.isInBlock) {
              resolve({
                blockHash: result.status.asInBlock.toHex(),
                events: result.events.map(({ event }) => `${event.section}.${event.method}`),
                ok: !result.dispatchError,
              });
            }
          })
          .catch(reject);
      },
    );
    expect(ok).to.equal(true);
    expect(events).to.include("system.Remarked");
    expect(events).to.include("system.ExtrinsicSuccess");

    // Read it back from the block's stored events, not just from the subscription.
    const at = await api.at(blockHash);
    const stored = await at.query.system.events();
    const remarked = stored.find(({ event }) => api.events.system.Remarked.is(event));
    expect(remarked, "Remarked event in the block").to.not.equal(undefined);
    const [sender, hash] = remarked!.event.data as unknown as [{ toHex(): string }, { toHex(): string }];
    expect(sender.toHex()).to.equal(u8aToHex(alice.publicKey));
    expect(hash.toHex()).to.equal(blake2AsHex(stringToU8a(remark)));
  });

  // Last: shuts this file's chain down and checks nothing is left listening (after() then no-ops).
  it("stop() closes the socket and is idempotent", async function () {
    expect(await listening(chain.port)).to.equal(true);
    await api.disconnect();
    await chain.stop();
    await chain.stop();
    expect(await listening(chain.port)).to.equal(false);
  });
});
