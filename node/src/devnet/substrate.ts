/**
 * The devnet's scenario on Substrate (`npm start -- --chain substrate`): the on-chain steps run
 * through the `ChainAdapter` (chain/substrate, over pallets-client) against a real Asset Hub runtime
 * under chopsticks. scripts/start.ts starts the chain and deploys (it may import pallets-client;
 * node/ may not), then calls {@link runSubstrateScenario}.
 *
 * What differs from the EVM devnet, and why:
 * - the agents run in this process (no libp2p processes): the auction is cleared here with the same
 *   strategies and second-price rule; the point of this mode is the chain;
 * - the escrow opens after the auction (the adapter's `openEscrow` locks the price for the winner);
 * - lineage roots are anchored as System remarks; there is no Groth16 verifier on this runtime, so a
 *   proof is verified in JS and checked against the anchored root on-chain;
 * - slashing and insurance claims go through the governance multisig;
 * - there is no Governor: parameters are set by the governance multisig at deployment, so the
 *   governance step is reported as not applicable.
 */
import path from "node:path";
import { mkdir } from "node:fs/promises";
import { createHash } from "node:crypto";
import { createChainAdapter } from "../chain/index.ts";
import type { ChainAdapter } from "../chain/index.ts";
import type { SubstrateAdapterInit } from "../chain/substrate/index.ts";
import { AdapterRegistry, builtinAgents } from "../execution/index.ts";
import type { Json } from "../storage/index.ts";
import { LineageService } from "../lineage/lineage.ts";
import { verifyProofFile } from "../lineage/proof-file.ts";
import { zonesIntersect } from "../routing/index.ts";
import { BidPricer, priceUnitOf } from "../node/bidding.ts";
import { clearSecondPrice } from "../node/bidding.ts";
import { agentFor } from "../node/capabilities.ts";
import { contentId } from "../node/content.ts";
import { agentSpecs } from "./agents.ts";
import type { DevnetSummary, StepResult, TaskSummary } from "./index.ts";
import { printSummary } from "./index.ts";

export interface SubstrateEnvironment {
  endpoint: string;
  deployment: SubstrateAdapterInit["deployment"];
  /** Secret URIs. */
  governance: string[];
  requester: string;
  arbiter: string;
  agents: string[];
  /** One unit of the payment token and of the stake asset (planck). */
  unit: bigint;
  stakeUnit: bigint;
  advanceTime(seconds: number): Promise<void>;
}

const fmt = (amount: bigint, unit: bigint): string => (Number(amount) / Number(unit)).toFixed(3);

export async function runSubstrateScenario(
  env: SubstrateEnvironment,
  dataDir: string,
  say: (line: string) => void,
): Promise<DevnetSummary> {
  const started = performance.now();
  const steps: StepResult[] = [];
  const tasks: TaskSummary[] = [];
  const adapters: ChainAdapter[] = [];
  const step = async (name: string, fn: () => Promise<string>): Promise<boolean> => {
    const t0 = performance.now();
    try {
      const detail = await fn();
      const ms = Math.round(performance.now() - t0);
      steps.push({ name, ok: true, detail, ms });
      say(`✔ ${name}: ${detail} (${(ms / 1000).toFixed(1)} s)`);
      return true;
    } catch (error) {
      const e = error as Error;
      const ms = Math.round(performance.now() - t0);
      steps.push({ name, ok: false, detail: `${e.name}: ${e.message}`.slice(0, 400), ms });
      say(`✘ ${name}: ${e.name}: ${e.message.slice(0, 400)}`);
      return false;
    }
  };
  const make = async (signer: string, governance = false): Promise<ChainAdapter> => {
    const a = await createChainAdapter({
      chain: "substrate",
      endpoint: env.endpoint,
      deployment: env.deployment,
      signer,
      ...(governance ? { governanceSigners: env.governance } : {}),
    });
    await a.start();
    adapters.push(a);
    return a;
  };

  await mkdir(dataDir, { recursive: true });
  const lineageHolder: { lineage?: LineageService } = {};
  try {
    const governance = await make(env.governance[0]!, true);
    const requester = await make(env.requester);
    const specs = agentSpecs(env.agents.length);
    const agents: { spec: (typeof specs)[number]; chain: ChainAdapter; did: string }[] = [];

    await step(`register and stake ${specs.length} agents (Uniques DIDs, Assets stake)`, async () => {
      for (const [i, spec] of specs.entries()) {
        const chain = await make(env.agents[i]!);
        const reg = await chain.registerAgent({
          endpoint: `ainur://agent/${spec.name}`,
          metadataCid: `ainur-devnet-${spec.name}`,
          capabilities: spec.capabilities,
          zones: spec.zones,
          signingKeys: ["0x" + createHash("sha256").update(spec.name).digest("hex")],
        });
        await chain.bond(BigInt(Math.round(Number(spec.stake))) * env.stakeUnit);
        agents.push({ spec, chain, did: reg.did });
        say(
          `  ${spec.name}  ${reg.did}  ${spec.strategy.name.padEnd(10)} zone ${spec.zones.join(",")}  stake ${spec.stake}`,
        );
      }
      return `${agents.length} agents registered (frozen Uniques items) and bonded`;
    });

    // The first agent anchors lineage roots (anchorers must be staked).
    const anchorer = agents[0]!.chain;
    const lineage = new LineageService(
      {
        anchor: async (root, leafCount) => {
          const r = await anchorer.anchorRoot("0x" + root.toString(16).padStart(64, "0"), leafCount);
          return { blockNumber: r.blockNumber, transactionHash: r.txHash };
        },
      },
      { database: path.join(dataDir, "lineage.db"), anchorEvery: 1_000_000, anchorAfterMs: 3_600_000 },
    );
    lineageHolder.lineage = lineage;
    await lineage.start();
    const registry = new AdapterRegistry(builtinAgents());
    const budget = 5n * env.unit;

    const runTask = async (
      taskId: string,
      capability: string,
      input: Json,
      zones: string[],
    ): Promise<void> => {
      const postedAt = Date.now();
      const bidders = agents.filter(
        (a) => a.spec.capabilities.includes(capability) && zonesIntersect(a.spec.zones, new Set(zones)),
      );
      const bids = bidders.flatMap((a) => {
        const s = new BidPricer({
          name: a.spec.strategy.name,
          priceUnit: priceUnitOf(env.unit),
          floor: BigInt(Math.round(Number(a.spec.strategy.floor) * 1000)) * (env.unit / 1000n),
          ...(a.spec.strategy.bps === undefined ? {} : { bps: a.spec.strategy.bps }),
        });
        const price = s.price({ capability, taskKey: "0x" + "00".repeat(32), budget, queueDepth: 0 });
        return price === null
          ? []
          : [
              {
                agent: a.chain.address,
                did: a.did,
                price: price.toString(),
                strategy: s.name,
                zones: a.spec.zones,
              },
            ];
      });
      const cleared = clearSecondPrice("0x" + "00".repeat(32), bids, budget);
      if (cleared === undefined) throw new Error(`${taskId}: no bid`);
      const winner = agents.find((a) => a.chain.address === cleared.winner.agent)!;
      await requester.openEscrow({
        taskId,
        agent: winner.chain.address,
        amount: cleared.price,
        deadline: (await requester.now()) + 3_600,
      });
      const output = await registry.get(agentFor(capability)).invoke({
        taskId,
        capability,
        input,
        idempotencyKey: taskId,
        attempt: 0,
        signal: AbortSignal.timeout(30_000),
      });
      const outputId = await contentId(output);
      const stored = lineage.commitExecution({
        taskId,
        agentDid: winner.did,
        inputs: [await contentId(input)],
        output: outputId,
        completedAt: Math.floor(Date.now() / 1000),
      });
      const leaf = "0x" + stored.commitment.toString(16).padStart(64, "0");
      const resultHash = "0x" + createHash("sha256").update(outputId).digest("hex");
      await winner.chain.submitResult(taskId, resultHash, leaf);
      const anchor = (await lineage.anchorNow())!;
      const anchoredAt = Date.now();
      const file = await lineage.prove(stored.index);
      const verdict = await verifyProofFile(file, {
        onChain: async (f) =>
          (await requester.isAnchored(f.root))
            ? {
                anchor: {
                  blockNumber: anchor.receipt.blockNumber ?? 0,
                  leafCount: anchor.leafCount,
                  anchorer: anchorer.address,
                },
                valid: true,
              }
            : { anchor: null },
      });
      if (!verdict.valid) throw new Error(`${taskId}: proof rejected: ${verdict.reasons.join("; ")}`);
      const released = await requester.releaseEscrow(taskId);
      if (released.state !== "settled")
        throw new Error(`${taskId}: the escrow is ${released.state} after release`);
      tasks.push({
        taskId,
        capability,
        status: "completed",
        winner: winner.did,
        strategy: cleared.winner.strategy,
        winningBid: fmt(BigInt(cleared.winner.price), env.unit),
        paid: fmt(cleared.price, env.unit),
        bids: bids.length,
        postToAnchorMs: anchoredAt - postedAt,
        proofVerified: true,
      });
      say(
        `  ${taskId}: ${bids.length} bids, won by ${winner.did} (${cleared.winner.strategy}), paid ${fmt(cleared.price, env.unit)}; ` +
          `root anchored in block ${anchor.receipt.blockNumber}; proof verified (JS) against the anchored root; escrow released`,
      );
    };

    await step("tasks: auction → escrow → execution → anchoring → proof → release", async () => {
      await runTask("s1-uppercase", "text.uppercase", { text: "hello substrate" }, ["eu", "us", "apac"]);
      await runTask("s2-sum", "math.sum", { values: [2, 3, 5] }, ["eu", "apac"]);
      await runTask("s3-sha256", "hash.sha256", { text: "lineage" }, ["us", "apac"]);
      return `${tasks.length} tasks completed, escrows released, roots anchored as remarks`;
    });

    await step("injected failure: refund, slash and insurance claim (governance multisig)", async () => {
      const faulty = agents[4] ?? agents[agents.length - 1]!;
      const amount = 5n * env.unit;
      await requester.openEscrow({
        taskId: "s4-echo-fails",
        agent: faulty.chain.address,
        amount,
        deadline: (await requester.now()) + 600,
      });
      const { premium } = await requester.insure("s4-echo-fails", amount);
      say(
        `  s4-echo-fails: escrow opened for ${faulty.did}, insured (premium ${fmt(premium, env.unit)}); the agent never delivers`,
      );
      await env.advanceTime(1_200);
      const arbiter = await make(env.arbiter);
      const first = await arbiter.refundEscrow("s4-echo-fails");
      if (first.state !== "settled") await requester.refundEscrow("s4-echo-fails");
      const before = await governance.stakeOf(faulty.chain.address);
      const slash = before.bonded / 10n;
      await governance.slash(faulty.chain.address, slash, "devnet: task s4-echo-fails not delivered");
      const after = await governance.stakeOf(faulty.chain.address);
      const { paid } = await governance.claimInsurance("s4-echo-fails");
      if (paid !== amount) throw new Error(`the claim paid ${paid}, expected ${amount}`);
      tasks.push({
        taskId: "s4-echo-fails",
        capability: "text.echo",
        status: "failed",
        winner: faulty.did,
        strategy: faulty.spec.strategy.name,
        winningBid: null,
        paid: fmt(amount, env.unit),
        bids: 1,
        postToAnchorMs: null,
        proofVerified: false,
      });
      return `refunded; slashed ${fmt(before.bonded - after.bonded, env.stakeUnit)} stake; insurance paid ${fmt(paid, env.unit)}`;
    });

    steps.push({
      name: "governance proposal (not applicable on Substrate: no Governor pallet; the multisig sets parameters)",
      ok: true,
      detail: "skipped",
      ms: 0,
    });
  } catch (error) {
    const e = error as Error;
    steps.push({ name: "substrate devnet", ok: false, detail: `${e.name}: ${e.message}`, ms: 0 });
    say(`✘ substrate devnet: ${e.message}`);
  } finally {
    await lineageHolder.lineage?.stop().catch(() => undefined);
    for (const a of adapters) await a.stop().catch(() => undefined);
  }

  const completed = tasks.filter((t) => t.status === "completed");
  const times = completed.map((t) => t.postToAnchorMs!).sort((a, b) => a - b);
  const summary: DevnetSummary = {
    ok: steps.every((s) => s.ok),
    chain: "substrate",
    steps,
    tasks,
    tasksCompleted: completed.length,
    tasksPosted: tasks.length,
    proofsVerified: completed.filter((t) => t.proofVerified).length,
    gasUsed: "0",
    transactions: 0,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    postToAnchorP50Ms: times.length === 0 ? null : times[Math.floor(times.length / 2)]!,
    tasksPerMinute: null,
    dataDir,
  };
  printSummary(summary, say);
  return summary;
}
