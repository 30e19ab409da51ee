/**
 * The devnet's chain journal (node/src/chain/evm/chain-journal.ts) against a real `hardhat node`:
 * record a chain (transfers of every transaction type, a contract deployment, a reverted call,
 * empty blocks from `hardhat_mine`, a timelocked operation across `evm_increaseTime`), stop the
 * node, replay the journal into a new one and find the same chain, block hash for block hash;
 * then keep going on the replayed chain (the timelock still works) and replay again. A tampered
 * journal, or a node with another genesis, fails with an error that names the block.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { Contract, ContractFactory, JsonRpcProvider, Wallet, ZeroHash, id, parseEther } from "ethers";
import type { JsonRpcSigner } from "ethers";
import {
  ChainJournal,
  ChainJournalDivergedError,
  ChainJournalError,
  followChain,
  replayJournal,
} from "../../node/src/chain/evm/chain-journal.ts";
import type { JournalFollower } from "../../node/src/chain/evm/chain-journal.ts";
import { startHardhatNode } from "../../node/src/devnet/evm-devchain.ts";
import type { Devchain } from "../../node/src/devnet/evm-devchain.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const artifact = (name: string): { abi: []; bytecode: string } =>
  JSON.parse(
    readFileSync(path.join(root, `artifacts/contracts/governance/${name}.sol/${name}.json`), "utf8"),
  ) as {
    abi: [];
    bytecode: string;
  };
/** Hardhat's default account #9, signing locally (the others are signed by the node). */
const LOCAL_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
const DELAY = 3_600;

interface Snapshot {
  head: { number: number; hash: string; stateRoot: string; timestamp: number };
  code: string;
  minDelay: bigint;
  balance: bigint;
  done: boolean;
}

describe("e2e: devnet chain journal (record, restart, replay)", function () {
  this.timeout(180_000);
  let dir: string;
  const running: Devchain[] = [];
  const followers: JournalFollower[] = [];
  const journals: ChainJournal[] = [];
  let genesisTimestamp = 0;
  let timelockAddress = "";
  let opId = "";
  let recorded: Snapshot;

  const start = async (genesis?: number): Promise<{ chain: Devchain; provider: JsonRpcProvider }> => {
    const chain = await startHardhatNode(root, genesis === undefined ? {} : { genesisTimestamp: genesis });
    running.push(chain);
    return {
      chain,
      provider: new JsonRpcProvider(chain.url, undefined, { batchMaxCount: 1, staticNetwork: true }),
    };
  };
  const stop = async (chain: Devchain, provider: JsonRpcProvider): Promise<void> => {
    provider.destroy();
    await chain.stop();
    running.splice(running.indexOf(chain), 1);
  };
  const journal = (file = "chain-journal.sqlite"): ChainJournal => {
    const j = ChainJournal.open(path.join(dir, file));
    journals.push(j);
    return j;
  };
  const snapshot = async (provider: JsonRpcProvider): Promise<Snapshot> => {
    const b = (await provider.send("eth_getBlockByNumber", ["latest", false])) as {
      number: string;
      hash: string;
      stateRoot: string;
      timestamp: string;
    };
    const timelock = new Contract(timelockAddress, artifact("AinurTimelock").abi, provider);
    return {
      head: {
        number: Number(b.number),
        hash: b.hash,
        stateRoot: b.stateRoot,
        timestamp: Number(b.timestamp),
      },
      code: await provider.getCode(timelockAddress),
      minDelay: (await timelock.getFunction("getMinDelay")()) as bigint,
      balance: await provider.getBalance("0x000000000000000000000000000000000000dEaD"),
      done: (await timelock.getFunction("isOperationDone")(opId)) as boolean,
    };
  };
  /** Schedules `updateDelay(newDelay)` on the timelock, waits out its delay and executes it. */
  const timelocked = async (
    signer: JsonRpcSigner,
    provider: JsonRpcProvider,
    newDelay: number,
  ): Promise<string> => {
    const timelock = new Contract(timelockAddress, artifact("AinurTimelock").abi, signer);
    const data = timelock.interface.encodeFunctionData("updateDelay", [newDelay]);
    const salt = id(`delay ${newDelay}`);
    const delay = (await timelock.getFunction("getMinDelay")()) as bigint;
    await (await timelock.getFunction("schedule")(timelockAddress, 0, data, ZeroHash, salt, delay)).wait();
    const op = (await timelock.getFunction("hashOperation")(
      timelockAddress,
      0,
      data,
      ZeroHash,
      salt,
    )) as string;
    // Too early: reverts. Hardhat mines the reverted transaction (and then reports the revert), so
    // the journal records it too.
    const before = Number(await provider.send("eth_blockNumber", []));
    const early = await timelock
      .getFunction("execute")(timelockAddress, 0, data, ZeroHash, salt, { gasLimit: 200_000 })
      .then(
        () => "mined",
        (e: Error) => e.message,
      );
    expect(early).to.contain("TimelockUnexpectedOperationState");
    const reverted = (await provider.getBlock(before + 1))!;
    expect((await provider.getTransactionReceipt(reverted.transactions[0]!))!.status).to.equal(0);
    await provider.send("evm_increaseTime", [Number(delay) + 1]);
    await provider.send("evm_mine", []);
    await (await timelock.getFunction("execute")(timelockAddress, 0, data, ZeroHash, salt)).wait();
    return op;
  };

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ainur-journal-"));
  });
  after(async () => {
    await Promise.all(followers.map((f) => f.stop()));
    for (const j of journals) j.close();
    await Promise.all(running.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("records every block as the chain mines it", async () => {
    const { chain, provider } = await start();
    genesisTimestamp = chain.genesisTimestamp;
    const j = journal();
    const follower = followChain(j, chain.url, { intervalMs: 50 });
    followers.push(follower);
    const signer = await provider.getSigner(0);
    const dead = "0x000000000000000000000000000000000000dEaD";
    // Every transaction type the devnet can send: EIP-1559 (node-signed), legacy, EIP-2930, and
    // one signed here and sent raw.
    await (await signer.sendTransaction({ to: dead, value: 1n })).wait();
    await (await signer.sendTransaction({ to: dead, value: 2n, type: 0, gasPrice: 3_000_000_000n })).wait();
    await (await signer.sendTransaction({ to: dead, value: 3n, type: 1, gasPrice: 3_000_000_000n })).wait();
    const local = new Wallet(LOCAL_KEY, provider);
    await (await local.sendTransaction({ to: dead, value: 4n })).wait();
    // A contract, and a timelocked operation across a jump in time.
    const { abi, bytecode } = artifact("AinurTimelock");
    const me = await signer.getAddress();
    const deployed = await new ContractFactory(abi, bytecode, signer).deploy(DELAY, [me], [me], me);
    await deployed.waitForDeployment();
    timelockAddress = await deployed.getAddress();
    // Empty blocks, recorded while they are the head: EDR reports the blocks `hardhat_mine`
    // reserves with a zero parent hash until then.
    await provider.send("hardhat_mine", ["0xb", "0x10"]);
    await follower.sync();
    opId = await timelocked(signer, provider, DELAY * 2);
    await (await signer.sendTransaction({ to: dead, value: parseEther("1") })).wait();

    await follower.sync();
    recorded = await snapshot(provider);
    expect(recorded.minDelay).to.equal(BigInt(DELAY * 2));
    expect(recorded.done).to.equal(true);
    expect(j.head()).to.deep.equal({
      number: recorded.head.number,
      hash: recorded.head.hash,
      timestamp: recorded.head.timestamp,
    });
    expect(j.genesis()!.timestamp).to.equal(genesisTimestamp);
    let parent = j.genesis()!.hash;
    for (const b of j.blocks()) {
      expect(b.parentHash, `block ${b.number}'s parent`).to.equal(parent);
      parent = b.hash;
    }
    expect([...j.blocks()].flatMap((b) => b.txs)).to.have.length(9);
    await follower.stop();
    followers.splice(followers.indexOf(follower), 1);
    await stop(chain, provider);
  });

  it("replays it into a fresh node: the same blocks, state and contracts", async () => {
    const { chain, provider } = await start(genesisTimestamp);
    const j = journals[0]!;
    const before = [...j.blocks()];
    const result = await replayJournal(j, chain.url);
    expect(result.blocks).to.equal(recorded.head.number);
    expect(result.transactions).to.equal(9);
    expect(result.head.stateRoot).to.equal(recorded.head.stateRoot);
    // The same state, block by block (hashes differ from the reserved blocks of `hardhat_mine` on).
    const replayed = await snapshot(provider);
    expect({ ...replayed, head: { ...replayed.head, hash: "" } }).to.deep.equal({
      ...recorded,
      head: { ...recorded.head, hash: "" },
    });
    for (const b of before) {
      const got = (await provider.send("eth_getBlockByNumber", ["0x" + b.number.toString(16), false])) as {
        stateRoot: string;
        receiptsRoot: string;
        baseFeePerGas: string;
        timestamp: string;
      };
      expect([got.stateRoot, got.receiptsRoot, got.baseFeePerGas, Number(got.timestamp)]).to.deep.equal([
        b.stateRoot,
        b.receiptsRoot,
        b.baseFee,
        b.timestamp,
      ]);
    }
    // The journal now holds the replayed chain's hashes, so it can follow it.
    expect(j.head()!.hash).to.equal(result.head.hash);

    // The chain goes on from there: time-dependent calls still work, automine is back on, and the
    // journal keeps recording.
    const follower = followChain(j, chain.url, { intervalMs: 50 });
    followers.push(follower);
    const signer = await provider.getSigner(0);
    await timelocked(signer, provider, DELAY * 3);
    const after = await snapshot(provider);
    expect(after.minDelay).to.equal(BigInt(DELAY * 3));
    expect(after.head.timestamp).to.be.greaterThan(recorded.head.timestamp + DELAY * 2);
    await follower.stop();
    followers.splice(followers.indexOf(follower), 1);
    expect(j.head()!.hash).to.equal(after.head.hash);
    await stop(chain, provider);

    // …and the longer journal replays too.
    const again = await start(genesisTimestamp);
    const second = await replayJournal(j, again.chain.url);
    expect(second.head.stateRoot).to.equal(after.head.stateRoot);
    expect(second.head.hash).to.equal(after.head.hash);
    expect((await snapshot(again.provider)).minDelay).to.equal(BigInt(DELAY * 3));
    await stop(again.chain, again.provider);
  });

  it("names the block where a tampered journal diverges", async () => {
    const copy = path.join(dir, "tampered.sqlite");
    const j = journals[0]!;
    const target = [...j.blocks()].find((b) => b.txs.length > 0 && b.number > 3)!;
    // A consistent copy (the WAL checkpointed into it), then one block's transactions dropped.
    const db = new DatabaseSync(j.path);
    db.exec(`VACUUM INTO '${copy}'`);
    db.close();
    const t = new DatabaseSync(copy);
    t.prepare("UPDATE blocks SET txs = '[]' WHERE number = ?").run(target.number);
    t.close();
    const { chain, provider } = await start(genesisTimestamp);
    const error = await replayJournal(journal("tampered.sqlite"), chain.url).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ChainJournalDivergedError);
    expect((error as ChainJournalDivergedError).block).to.equal(target.number);
    expect((error as Error).message).to.contain(`diverged at block ${target.number}: stateRoot`);
    await stop(chain, provider);
  });

  it("refuses a node with another genesis, or one that has mined already", async () => {
    const j = journals[0]!;
    const other = await start(genesisTimestamp + 7);
    const error = await replayJournal(j, other.chain.url).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ChainJournalDivergedError);
    expect((error as ChainJournalDivergedError).block).to.equal(0);
    expect((error as Error).message).to.contain(`AINUR_DEVNET_GENESIS_TIMESTAMP=${genesisTimestamp}`);
    await stop(other.chain, other.provider);

    const busy = await start(genesisTimestamp);
    await busy.provider.send("evm_mine", []);
    const notFresh = await replayJournal(j, busy.chain.url).catch((e: unknown) => e);
    expect(notFresh).to.be.instanceOf(ChainJournalError);
    expect((notFresh as Error).message).to.contain("fresh node");
    await stop(busy.chain, busy.provider);
  });

  it("does not replay a journal that stopped recording", () => {
    const j = journal("broken.sqlite");
    j.setGenesis({ chainId: 31337, timestamp: genesisTimestamp, hash: journals[0]!.genesis()!.hash });
    j.markBroken("cannot record block 3: a test");
    return replayJournal(j, "http://127.0.0.1:1").then(
      () => expect.fail("replayed a broken journal"),
      (e: Error) => {
        expect(e).to.be.instanceOf(ChainJournalError);
        expect(e.message).to.contain("is incomplete: cannot record block 3");
      },
    );
  });
});
