/**
 * A node configured with `chain: substrate` (endpoint, deployments file, its key) performs the on-chain
 * steps of a task's life against chopsticks: register an agent, stake, open and release escrow, anchor
 * a lineage root.
 */
import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import {
  SubstrateClient,
  deployAinurSubstrate,
  deploymentToJson,
  startDevChain,
  type DevChain,
} from "../../../pallets-client/src/index.ts";
import { createChainAdapter, type ChainAdapter, type ChainEvent } from "../../../node/src/chain/index.ts";

const UNIT = 10n ** 12n;

describe("chain: a task's on-chain life with chain: substrate (chopsticks)", function () {
  let chain: DevChain;
  let dir: string;
  let agent: ChainAdapter;
  let requester: ChainAdapter;

  before(async function () {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: "sr25519" });
    const [alice, bob, charlie, dave] = ["//Alice", "//Bob", "//Charlie", "//Dave"].map((u) =>
      keyring.addFromUri(u),
    );
    chain = await startDevChain();
    const deployer = await SubstrateClient.connect({ endpoint: chain.endpoint });
    try {
      const deployment = await deployAinurSubstrate(deployer, {
        members: [alice!.address, bob!.address, charlie!.address],
        threshold: 2,
        signers: [alice!, bob!],
        funder: alice!,
        creditIssuer: charlie!.address,
        defaultArbiter: charlie!.address,
        stakeHolders: [{ address: dave!.address, amount: 200n * UNIT }],
      });
      dir = await mkdtemp(path.join(os.tmpdir(), "ainur-substrate-"));
      await writeFile(path.join(dir, "deployment.json"), deploymentToJson(deployment));
    } finally {
      await deployer.close();
    }
    // What a node's config holds: the chain kind, the endpoint, the deployments file and its key.
    const config = (signer: string) => ({
      chain: "substrate" as const,
      endpoint: chain.endpoint,
      deployment: path.join(dir, "deployment.json"),
      signer,
    });
    agent = await createChainAdapter(config("//Dave"));
    requester = await createChainAdapter(config("//Eve"));
    await agent.start();
    await requester.start();
  });

  after(async function () {
    await agent?.stop();
    await requester?.stop();
    await chain?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("registers, stakes, is paid through escrow, and anchors its lineage root", async function () {
    const seen: ChainEvent[] = [];
    const off = requester.subscribe((e) => seen.push(e));

    const { agentId, did } = await agent.registerAgent({
      endpoint: "http://127.0.0.1:9200",
      metadataCid: "bafkreitasklife",
      capabilities: ["summarise"],
      zones: ["eu"],
      signingKeys: ["0x" + "42".repeat(32)],
    });
    expect(did).to.match(/^did:ainur:sub-/);
    expect((await requester.getAgent(agentId))?.owner).to.equal(agent.address);

    await agent.bond(150n * UNIT);
    expect((await requester.stakeOf(agent.address)).bonded).to.equal(150n * UNIT);

    const deadline = (await requester.now()) + 3_600;
    await requester.openEscrow({ taskId: "life-1", agent: agent.address, amount: 2n * UNIT, deadline });
    await agent.submitResult("life-1", "0x" + "ab".repeat(32), "0x" + "cd".repeat(32));
    expect((await requester.releaseEscrow("life-1")).state).to.equal("settled");
    expect((await agent.escrowOf("life-1"))?.status).to.equal("released");

    const root = "0x" + "1f".repeat(31);
    await agent.anchorRoot(root, 1);
    expect(await requester.isAnchored(root)).to.equal(true);

    for (let i = 0; i < 50 && !seen.some((e) => e.type === "root:anchored"); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    off();
    const types = seen.map((e) => e.type);
    for (const t of [
      "agent:registered",
      "stake:bonded",
      "escrow:opened",
      "escrow:released",
      "root:anchored",
    ] as const) {
      expect(types, t).to.include(t);
    }
  });
});
