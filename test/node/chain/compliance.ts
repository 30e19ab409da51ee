/**
 * The ChainAdapter compliance suite: every backend must pass it. A backend's test file calls
 * `runChainAdapterCompliance(name, factory)`; the factory starts a real chain, deploys Ainur on it
 * and returns one started adapter per role. One world per file (chains are slow to start).
 */
import { expect } from "chai";
import {
  ChainCallFailedError,
  ChainInsufficientFundsError,
  ChainUnauthorizedError,
  type ChainAdapter,
  type ChainEvent,
} from "../../../node/src/chain/index.ts";

export interface ComplianceWorld {
  /** Holds the governance role (EVM: the timelock; Substrate: the governance multisig's keys). */
  governance: ChainAdapter;
  /** Has payment tokens. */
  requester: ChainAdapter;
  /** Has stake tokens (at least 3 × minimumStake). */
  agent: ChainAdapter;
  /** Third escrow party on Substrate; anyone on EVM. */
  arbiter: ChainAdapter;
  /** Holds the credit issuer role (and, on EVM, the spender role). */
  issuer: ChainAdapter;
  /** No role, no stake tokens. */
  outsider: ChainAdapter;
  /** One whole payment/stake token in its smallest unit. */
  unit: bigint;
  minimumStake: bigint;
  /** Move chain time forward. */
  advanceTime(seconds: number): Promise<void>;
  /** Drop every open connection to the node (the adapters must reconnect); absent where there is none. */
  dropConnections?: () => Promise<void>;
  close(): Promise<void>;
}

export type ComplianceFactory = () => Promise<ComplianceWorld>;

async function rejects(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a ${type.name}`).to.be.instanceOf(type);
  return err as Error;
}

/** Settle with whoever must sign: on Substrate the second signature executes. */
async function settle(
  first: () => Promise<{ state: string }>,
  second: () => Promise<{ state: string }>,
): Promise<void> {
  const r = await first();
  if (r.state === "pending") expect((await second()).state).to.equal("settled");
  else expect(r.state).to.equal("settled");
}

export function runChainAdapterCompliance(name: string, factory: ComplianceFactory): void {
  describe(`ChainAdapter compliance: ${name}`, function () {
    let w: ComplianceWorld;
    const events: ChainEvent[] = [];
    let off: (() => void) | undefined;
    let agentId = "";

    before(async function () {
      w = await factory();
      off = w.governance.subscribe((e) => events.push(e));
    });

    after(async function () {
      off?.();
      await w?.close();
    });

    it("registers an agent with a DID, and reads it back", async function () {
      const reg = await w.agent.registerAgent({
        endpoint: "http://127.0.0.1:9100",
        metadataCid: "bafkreiagentmetadata",
        capabilities: ["chat"],
        zones: ["eu"],
        signingKeys: ["0x" + "11".repeat(32)],
      });
      agentId = reg.agentId;
      expect(reg.did).to.match(/^did:ainur:[^:]+:\d+$/);
      expect(reg.owner).to.equal(w.agent.address);
      const info = await w.outsider.getAgent(agentId);
      expect(info?.owner).to.equal(w.agent.address);
      expect(info?.endpoint).to.equal("http://127.0.0.1:9100");
      expect(info?.metadataCid).to.equal("bafkreiagentmetadata");
      expect(info?.nonTransferable).to.be.a("boolean"); // EVM: ERC-721, transferable; Substrate: frozen
      expect(await w.outsider.getAgent("4294967295")).to.equal(undefined);
    });

    it("bonds and unbonds stake; only governance slashes", async function () {
      await w.agent.bond(w.minimumStake * 2n);
      expect((await w.outsider.stakeOf(w.agent.address)).bonded).to.equal(w.minimumStake * 2n);
      await w.agent.requestUnbond(w.unit);
      const s = await w.outsider.stakeOf(w.agent.address);
      expect(s.bonded).to.equal(w.minimumStake * 2n - w.unit);
      expect(s.unbonding).to.equal(w.unit);
      await rejects(w.outsider.slash(w.agent.address, w.unit, "no role"), ChainUnauthorizedError);
      await w.governance.slash(w.agent.address, w.unit, "governance decision");
      expect((await w.outsider.stakeOf(w.agent.address)).bonded).to.equal(w.minimumStake * 2n - 2n * w.unit);
    });

    it("rejects a bond beyond the balance with ChainInsufficientFundsError", async function () {
      await rejects(w.outsider.bond(w.unit), ChainInsufficientFundsError);
    });

    it("opens an escrow, takes the agent's result, and releases payment on the requester's acceptance", async function () {
      const deadline = (await w.requester.now()) + 3_600;
      await w.requester.openEscrow({
        taskId: "compliance-release",
        agent: w.agent.address,
        amount: 10n * w.unit,
        deadline,
      });
      const opened = await w.outsider.escrowOf("compliance-release");
      expect(opened?.status).to.equal("open");
      expect(opened?.amount).to.equal(10n * w.unit);
      expect(opened?.requester).to.equal(w.requester.address);
      await rejects(
        w.outsider.submitResult("compliance-release", "0x" + "aa".repeat(32), "0x" + "01".repeat(32)),
        ChainUnauthorizedError,
      );
      await w.agent.submitResult("compliance-release", "0x" + "aa".repeat(32), "0x" + "01".repeat(32));
      expect((await w.outsider.escrowOf("compliance-release"))?.status).to.equal("submitted");
      await rejects(w.outsider.releaseEscrow("compliance-release"), ChainUnauthorizedError);
      const before = await w.agent.paymentBalanceOf(w.agent.address);
      const released = await w.requester.releaseEscrow("compliance-release");
      expect(released.state).to.equal("settled");
      expect((await w.outsider.escrowOf("compliance-release"))?.status).to.equal("released");
      const gained = (await w.agent.paymentBalanceOf(w.agent.address)) - before;
      // EVM takes the protocol fee (1%); Substrate returns the agent's multisig deposit with the payment.
      expect(gained >= 9n * w.unit && gained <= 11n * w.unit, `agent gained ${gained}`).to.equal(true);
      await rejects(w.requester.releaseEscrow("compliance-release"), ChainCallFailedError);
    });

    it("insures a task, refunds it after the deadline, and pays the claim", async function () {
      const deadline = (await w.requester.now()) + 3_600;
      await w.requester.openEscrow({
        taskId: "compliance-refund",
        agent: w.agent.address,
        amount: 5n * w.unit,
        deadline,
      });
      const { premium } = await w.requester.insure("compliance-refund", 5n * w.unit);
      expect(premium > 0n && premium < 5n * w.unit).to.equal(true);
      await rejects(w.arbiter.refundEscrow("compliance-refund"), ChainCallFailedError);
      await w.advanceTime(7_200);
      const before = await w.requester.paymentBalanceOf(w.requester.address);
      await settle(
        () => w.arbiter.refundEscrow("compliance-refund"),
        () => w.requester.refundEscrow("compliance-refund"),
      );
      expect((await w.outsider.escrowOf("compliance-refund"))?.status).to.equal("refunded");
      const { paid } = await w.governance.claimInsurance("compliance-refund");
      expect(paid).to.equal(5n * w.unit);
      const gained = (await w.requester.paymentBalanceOf(w.requester.address)) - before;
      expect(
        gained > 10n * w.unit - w.unit / 100n && gained <= 10n * w.unit,
        `requester gained ${gained}`,
      ).to.equal(true);
    });

    it("mints and burns non-transferable credits, issuer only", async function () {
      await w.issuer.mintCredits(w.requester.address, 100n, "hosting");
      expect(await w.outsider.creditsOf(w.requester.address)).to.equal(100n);
      await rejects(w.outsider.mintCredits(w.outsider.address, 1n, "self"), ChainUnauthorizedError);
      await w.issuer.burnCredits(w.requester.address, 40n, "used");
      expect(await w.outsider.creditsOf(w.requester.address)).to.equal(60n);
      await rejects(w.issuer.burnCredits(w.requester.address, 61n, "too many"), ChainInsufficientFundsError);
    });

    it("registers a UTID for the owner's agent only", async function () {
      const params = {
        agentId,
        manifestHash: "0x" + "ab".repeat(32),
        cid: "bafkreicapsule",
        lineageRoot: "0x" + "00".repeat(31) + "07",
      };
      const { utid } = await w.agent.registerUtid(params);
      expect(utid).to.be.a("string").and.not.equal("");
      await rejects(
        w.outsider.registerUtid({ ...params, manifestHash: "0x" + "cd".repeat(32) }),
        ChainUnauthorizedError,
      );
    });

    it("anchors a lineage root once, by a staked agent only", async function () {
      const root = "0x" + "0123456789abcdef".repeat(3);
      await w.agent.anchorRoot(root, 4);
      expect(await w.outsider.isAnchored(root)).to.equal(true);
      expect(await w.outsider.isAnchored("0x1234")).to.equal(false);
      await rejects(w.agent.anchorRoot(root, 4), ChainCallFailedError);
      await rejects(w.outsider.anchorRoot("0x" + "22".repeat(16), 1), ChainUnauthorizedError);
    });

    it("delivered the events of all of the above to a subscriber, in order", async function () {
      // Backends deliver on new blocks; give the last one a moment by reading through the adapter.
      for (let i = 0; i < 50 && !events.some((e) => e.type === "root:anchored"); i++) {
        await w.outsider.isAnchored("0x01");
        await new Promise((r) => setTimeout(r, 100));
      }
      const types = events.map((e) => e.type);
      for (const t of [
        "agent:registered",
        "stake:bonded",
        "stake:unbond-requested",
        "stake:slashed",
        "escrow:opened",
        "escrow:submitted",
        "escrow:released",
        "escrow:refunded",
        "insurance:covered",
        "insurance:claim-paid",
        "credits:minted",
        "credits:burned",
        "utid:registered",
        "root:anchored",
      ] as const) {
        expect(types, t).to.include(t);
      }
      const blocks = events.map((e) => e.blockNumber);
      expect(blocks).to.deep.equal([...blocks].sort((a, b) => a - b));
    });

    it("survives a dropped connection: the adapter reconnects and the next call succeeds", async function () {
      if (!w.dropConnections) this.skip();
      await w.dropConnections!();
      await w.issuer.mintCredits(w.requester.address, 1n, "after reconnect");
      expect(await w.outsider.creditsOf(w.requester.address)).to.equal(61n);
    });
  });
}
