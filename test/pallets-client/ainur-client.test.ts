import { expect } from "chai";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import {
  AinurLedger,
  AinurSubstrateClient,
  ClientRuleError,
  DispatchError,
  InsufficientFundsError,
  SubstrateClient,
  UnauthorizedSignerError,
  deployAinurSubstrate,
  startDevChain,
  type AinurEvent,
  type AinurSubstrateDeployment,
  type DevChain,
} from "../../pallets-client/src/index.ts";

const ROC = 10n ** 12n;

describe("pallets-client: Ainur on Rococo Asset Hub (chopsticks)", function () {
  let chain: DevChain;
  let client: SubstrateClient;
  let deployment: AinurSubstrateDeployment;
  let keys: Record<"alice" | "bob" | "charlie" | "dave" | "eve" | "ferdie", KeyringPair>;
  let ledger: AinurLedger;
  const as = (signer: KeyringPair, governance = false) =>
    new AinurSubstrateClient({
      client,
      deployment,
      signer,
      ledger,
      governanceSigners: governance ? [keys.alice, keys.bob] : [],
    });

  before(async function () {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: "sr25519" });
    keys = {
      alice: keyring.addFromUri("//Alice"),
      bob: keyring.addFromUri("//Bob"),
      charlie: keyring.addFromUri("//Charlie"),
      dave: keyring.addFromUri("//Dave"),
      eve: keyring.addFromUri("//Eve"),
      ferdie: keyring.addFromUri("//Ferdie"),
    };
    chain = await startDevChain();
    client = await SubstrateClient.connect({ endpoint: chain.endpoint });
    deployment = await deployAinurSubstrate(client, {
      members: [keys.alice.address, keys.bob.address, keys.charlie.address],
      threshold: 2,
      signers: [keys.alice, keys.bob],
      funder: keys.alice,
      creditIssuer: keys.charlie.address,
      defaultArbiter: keys.ferdie.address,
      stakeHolders: [{ address: keys.dave.address, amount: 1_000n * ROC }],
    });
    ledger = new AinurLedger(client.api, deployment);
  });

  after(async function () {
    await client?.close();
    await chain?.stop();
  });

  it("deploys governance, vault and pool proxies, and the two assets", async function () {
    const gov = as(keys.alice);
    expect(deployment.stakeVault).to.not.equal(deployment.insurancePool);
    expect(await gov.proxy.delegates(deployment.stakeVault)).to.deep.equal([deployment.governance.account]);
    const credit = await gov.assets.details(deployment.creditAssetId);
    expect(credit?.issuer).to.equal(gov.address.length ? deployment.creditIssuer : "");
    expect(await gov.assets.balance(deployment.stakeAssetId, keys.dave.address)).to.equal(1_000n * ROC);
  });

  it("registers an agent DID as a frozen, non-transferable Uniques item with its profile", async function () {
    const dave = as(keys.dave);
    const { agentId, did } = await dave.registerAgent({
      endpoint: "http://127.0.0.1:9000",
      metadataCid: "bafyagent",
      capabilities: ["chat", "summarise"],
      zones: ["eu"],
      signingKeys: ["0x01"],
    });
    expect(did).to.match(/^did:ainur:sub-[0-9a-f]{16}:\d+$/);
    const agent = await dave.agent(agentId);
    expect(agent?.owner).to.equal(dave.address);
    expect(agent?.frozen).to.equal(true);
    expect(agent?.attributes.capabilities).to.equal("chat,summarise");
    // The owner cannot move it: the item is frozen and only governance (class admin) can thaw.
    const err = await dave.client
      .submit(keys.dave, dave.uniques.transfer(agentId, 0, keys.eve.address))
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DispatchError);
    expect((err as DispatchError).pallet).to.equal("uniques");
    expect((err as DispatchError).error).to.equal("Frozen");
    const thaw = await dave.client.submit(keys.dave, dave.uniques.thaw(agentId, 0)).catch((e: unknown) => e);
    expect((thaw as DispatchError).error).to.equal("NoPermission");
  });

  it("bonds stake into the governance vault; only governance slashes, within the cap", async function () {
    const dave = as(keys.dave);
    await dave.bond(200n * ROC);
    expect((await dave.stakeOf(keys.dave.address)).bonded).to.equal(200n * ROC);
    await expectReject(as(keys.eve).slash(keys.dave.address, ROC, "x"), UnauthorizedSignerError);
    const gov = as(keys.alice, true);
    await expectReject(gov.slash(keys.dave.address, 150n * ROC, "too much"), ClientRuleError);
    await gov.slash(keys.dave.address, 20n * ROC, "missed deadline");
    const stake = await dave.stakeOf(keys.dave.address);
    expect(stake.bonded).to.equal(180n * ROC);
    expect(stake.slashed).to.equal(20n * ROC);
    expect(await dave.assets.balance(deployment.stakeAssetId, deployment.insurancePool)).to.equal(20n * ROC);
    await dave.requestUnbond(30n * ROC);
    expect((await dave.stakeOf(keys.dave.address)).unbonding).to.equal(30n * ROC);
    await expectReject(gov.payUnbonded(keys.dave.address), ClientRuleError); // delay not passed
  });

  it("opens an escrow as a 2-of-3 multisig and releases it on the agent's result and the requester's signature", async function () {
    const requester = as(keys.eve);
    const agent = as(keys.dave);
    const deadline = (await requester.system.now()) + 3_600_000;
    await requester.openEscrow({ taskId: "task-1", agent: keys.dave.address, amount: 5n * ROC, deadline });
    const e = await requester.escrow("task-1");
    expect(await requester.balances.free(e.account)).to.equal(5n * ROC);
    await expectReject(as(keys.bob).submitResult("task-1", "0xaa", "0xbb"), UnauthorizedSignerError);
    await agent.submitResult("task-1", "0xaa", "0xbb");
    const before = await agent.balances.free(agent.address);
    const { state } = await requester.releaseEscrow("task-1");
    expect(state).to.equal("executed");
    expect((await requester.escrow("task-1")).status).to.equal("released");
    expect((await agent.balances.free(agent.address)) - before).to.be.greaterThan(4n * ROC);
  });

  it("refunds after the deadline with the arbiter's signature, and governance pays the insurance claim", async function () {
    const requester = as(keys.eve);
    const arbiter = as(keys.ferdie);
    // Liquidity for the pool.
    await client.submit(
      keys.alice,
      requester.balances.transferKeepAlive(deployment.insurancePool, 50n * ROC),
    );
    const deadline = (await requester.system.now()) + 3_600_000;
    await requester.openEscrow({ taskId: "task-2", agent: keys.dave.address, amount: 3n * ROC, deadline });
    const { premium } = await requester.insure("task-2", 10n * ROC);
    expect(premium).to.equal((10n * ROC * 200n) / 10_000n);
    await expectReject(arbiter.refundEscrow("task-2"), ClientRuleError); // before the deadline
    await expectReject(as(keys.alice, true).payClaim("task-2"), ClientRuleError); // not failed
    await chain.timeTravel(deadline + 60_000);
    expect((await arbiter.refundEscrow("task-2")).state).to.equal("pending");
    expect((await requester.refundEscrow("task-2")).state).to.equal("executed");
    expect((await requester.escrow("task-2")).status).to.equal("refunded");
    const before = await requester.balances.free(requester.address);
    await as(keys.alice, true).payClaim("task-2");
    expect((await requester.balances.free(requester.address)) - before).to.equal(10n * ROC);
  });

  it("mints non-transferable credits and burns them", async function () {
    const issuer = as(keys.charlie);
    await issuer.mintCredits(keys.eve.address, 100n, "hosting");
    expect(await issuer.creditsOf(keys.eve.address)).to.equal(100n);
    const eve = as(keys.eve);
    const moved = await client
      .submit(keys.eve, eve.assets.transfer(deployment.creditAssetId, keys.bob.address, 1n))
      .catch((e: unknown) => e);
    expect((moved as DispatchError).error).to.equal("Frozen");
    await expectReject(eve.mintCredits(keys.eve.address, 1n, "self"), UnauthorizedSignerError);
    await issuer.burnCredits(keys.eve.address, 40n, "used");
    expect(await issuer.creditsOf(keys.eve.address)).to.equal(60n);
    await expectReject(issuer.burnCredits(keys.eve.address, 61n, "too many"), InsufficientFundsError);
  });

  it("anchors a lineage root with remarkWithEvent and reads it back from the events", async function () {
    const dave = as(keys.dave);
    const seen: AinurEvent[] = [];
    const off = ledger.subscribe((e) => seen.push(e));
    await dave.anchorRoot("0x1234", 8);
    const root = await dave.rootOf("0x1234");
    off();
    expect(root?.anchorer).to.equal(dave.address);
    expect(root?.leafCount).to.equal(8);
    expect(seen.map((e) => e.type)).to.include("root:anchored");
    await expectReject(dave.anchorRoot("0x1234", 8), ClientRuleError);
  });

  it("a transfer beyond the balance is a typed InsufficientFundsError", async function () {
    const eve = as(keys.eve);
    const err = await client
      .submit(keys.eve, eve.balances.transferKeepAlive(keys.bob.address, 10n ** 30n))
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(InsufficientFundsError);
  });
});

async function expectReject(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${type.name}`).to.be.instanceOf(type);
  return err as Error;
}
