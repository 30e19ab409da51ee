/**
 * devnet/: the whole network on one machine, and the scenario `npm start` runs.
 *
 *  1. compile the contracts; start `hardhat node` on 127.0.0.1; deploy every contract;
 *  2. fund and start 5 agent node processes (DIDs, stakes, strategies, zones differ) and an
 *     in-process requester node with the API and the explorer;
 *  3. a stream of tasks and one DAG workflow, each through auction → escrow → execution →
 *     lineage anchoring → proof generated and verified on-chain → reputation update;
 *  4. one injected failure: a slash and an insurance payout;
 *  5. a governance proposal through the timelock;
 *  6. a summary; with `once`, exit 0 only if every step passed.
 *
 * State lives in the data directory (default `.ainur/devnet`): the deployments, each node's keys
 * seed, event log and lineage store, `progress.json` and, with a chain of its own, the chain
 * journal (chain/evm/chain-journal.ts). A restart resumes: it replays the journal into a new `hardhat node`
 * (or, with `rpcUrl`, uses a chain that is still running), reuses the deployment and the agents'
 * registrations and skips the steps already done. A journal that cannot be replayed is reported,
 * and the run starts fresh with the previous state kept in `<dir>.prev`.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { formatAmount, parseAmount } from "../chain/units.ts";
import { EvmChain, devAccountKey, addressOf, PROPOSAL_STATE, taskKey } from "../chain/evm/index.ts";
import { AinurNode } from "../node/index.ts";
import type { NodeConfig } from "../node/config.ts";
import type { TaskOutcome } from "../node/requester-node.ts";
import { ExecutionFailedError } from "../node/requester-node.ts";
import { execute, propose, proposalState, queue, vote } from "../chain/evm/index.ts";
import type { Json } from "../storage/index.ts";
import type { WorkflowSpec } from "../execution/index.ts";
import { REPO_ROOT, DEFAULT_DATA_DIR } from "../cli/context.ts";
import type { DevnetInfo } from "../cli/context.ts";
import { buildContracts, deployAll, startHardhatNode } from "./evm-devchain.ts";
import type { Devchain } from "./evm-devchain.ts";
import { ChainJournal, followChain, replayJournal } from "../chain/evm/index.ts";
import type { JournalFollower, ReplayResult } from "../chain/evm/index.ts";
import { agentSpecs } from "./agents.ts";
import { startNodeProcess } from "./processes.ts";
import type { NodeProcess } from "./processes.ts";

export { DEVNET_AGENTS, agentSpecs } from "./agents.ts";
export type { DevnetAgentSpec } from "./agents.ts";

export interface DevnetInit {
  once?: boolean;
  chain?: "evm" | "substrate";
  dataDir?: string;
  /** Agent node processes (default 5). */
  agents?: number;
  /** Use this running chain (and resume) instead of starting one. */
  rpcUrl?: string;
  /** Progress lines (default: console.log with an `ainur |` prefix). */
  log?: (line: string) => void;
  /** Skip `hardhat build` (the caller built already). */
  skipBuild?: boolean;
  /** Called once the network is up, before the scenario (the browser test uses it). */
  onReady?: (info: DevnetInfo) => void | Promise<void>;
}

export interface StepResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface TaskSummary {
  taskId: string;
  capability: string;
  status: string;
  winner: string | null;
  strategy: string | null;
  winningBid: string | null;
  paid: string | null;
  bids: number;
  postToAnchorMs: number | null;
  proofVerified: boolean;
}

export interface DevnetSummary {
  ok: boolean;
  /** Steps an earlier run on the same chain already did (a restart resumes after them). */
  resumed?: string[];
  /** When the chain was rebuilt from the data directory's chain journal. */
  replayed?: { blocks: number; transactions: number; ms: number };
  chain: "evm" | "substrate";
  steps: StepResult[];
  tasks: TaskSummary[];
  tasksCompleted: number;
  tasksPosted: number;
  proofsVerified: number;
  gasUsed: string;
  transactions: number;
  seconds: number;
  postToAnchorP50Ms: number | null;
  tasksPerMinute: number | null;
  dataDir: string;
}

export class DevnetSubstrateUnavailableError extends Error {
  override name = "DevnetSubstrateUnavailableError";
  constructor() {
    super(
      "`ainur devnet --chain substrate` is not available from the CLI: the Substrate devnet starts chopsticks with pallets-client, which node/ must not import. Run `npm start -- --chain substrate`.",
    );
  }
}

const BUDGET = parseAmount("5");
const ALL_ZONES = ["eu", "us", "apac"];

interface Progress {
  rpcUrl: string;
  done: Record<string, string>;
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
};

export async function runDevnet(init: DevnetInit = {}): Promise<DevnetSummary> {
  const started = performance.now();
  const say = init.log ?? ((line: string) => console.log(`ainur | ${line}`));
  if (init.chain === "substrate") throw new DevnetSubstrateUnavailableError();
  const dataDir = path.resolve(init.dataDir ?? DEFAULT_DATA_DIR);
  const agentCount = init.agents ?? 5;
  const steps: StepResult[] = [];
  const outcomes: TaskOutcome[] = [];
  /** Steps skipped because an earlier run (on the same chain) did them. */
  const resumed: string[] = [];
  let chainProc: Devchain | undefined;
  let journal: ChainJournal | undefined;
  let follower: JournalFollower | undefined;
  let replayed: ReplayResult | undefined;
  const procs: NodeProcess[] = [];
  let requester: AinurNode | undefined;
  let orchestrator: EvmChain | undefined;
  let stopping: Promise<void> | undefined;

  const step = async <T>(
    name: string,
    fn: () => Promise<{ value: T; detail: string }>,
  ): Promise<T | undefined> => {
    const t0 = performance.now();
    try {
      const { value, detail } = await fn();
      const ms = Math.round(performance.now() - t0);
      steps.push({ name, ok: true, detail, ms });
      say(`✔ ${name}: ${detail} (${(ms / 1000).toFixed(1)} s)`);
      return value;
    } catch (error) {
      const ms = Math.round(performance.now() - t0);
      const e = error as Error & { shortMessage?: string };
      const message = (e.shortMessage ?? e.message).slice(0, 400);
      steps.push({ name, ok: false, detail: `${e.name}: ${message}`, ms });
      say(`✘ ${name}: ${e.name}: ${message}`);
      return undefined;
    }
  };

  const shutdown = async (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(procs.map((p) => p.stop()));
      // Bounded: a component that never stops (the lineage prover's worker, at times) must not keep
      // the chain and the journal open; the CLI exits after this anyway.
      if (requester !== undefined) await settleWithin(requester.stop(), 15_000, "the requester node", say);
      orchestrator?.close();
      await follower?.stop();
      journal?.close();
      await chainProc?.stop();
    })();
    return stopping;
  };

  // Ctrl-C: stop everything cleanly, whatever step is running.
  const onSignal = (): void => {
    say("stopping: agents, requester, chain");
    void shutdown().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    // --- The chain ------------------------------------------------------------------------------
    if (!init.skipBuild) {
      say("building contracts (hardhat build, offline solc)");
      buildContracts(REPO_ROOT);
    }
    const progressFile = path.join(dataDir, "progress.json");
    let progress: Progress | undefined = existsSync(progressFile)
      ? (JSON.parse(await readFile(progressFile, "utf8")) as Progress)
      : undefined;
    let rpcUrl: string;
    if (init.rpcUrl !== undefined) {
      rpcUrl = init.rpcUrl;
      if (progress !== undefined && progress.rpcUrl !== rpcUrl) progress = undefined;
      // A journal of an earlier run with its own chain no longer describes this directory's chain.
      for (const suffix of ["", "-wal", "-shm"])
        await rm(path.join(dataDir, JOURNAL_FILE + suffix), { force: true });
    } else {
      const journalFile = path.join(dataDir, JOURNAL_FILE);
      const resumedChain = existsSync(journalFile) ? await resumeChain(journalFile, say) : undefined;
      if (resumedChain !== undefined) {
        ({ chain: chainProc, journal, replayed } = resumedChain);
        rpcUrl = chainProc.url;
        if (progress !== undefined) progress.rpcUrl = rpcUrl;
      } else {
        chainProc = await startHardhatNode(REPO_ROOT);
        rpcUrl = chainProc.url;
        say(`local EVM (hardhat node) on ${rpcUrl}`);
        if (existsSync(dataDir)) {
          // A new chain: the old state refers to contracts that no longer exist.
          await rm(`${dataDir}.prev`, { recursive: true, force: true });
          await rename(dataDir, `${dataDir}.prev`);
          say(`fresh chain: the previous run's state is in ${path.relative(REPO_ROOT, dataDir)}.prev`);
        }
        progress = undefined;
        journal = ChainJournal.open(journalFile);
      }
      follower = followChain(journal, rpcUrl, { log: say });
    }
    progress ??= { rpcUrl, done: {} };
    await mkdir(dataDir, { recursive: true });
    let saving = Promise.resolve();
    const saveProgress = (): Promise<void> => {
      // The journal first: progress.json never claims a step whose blocks a restart could not replay.
      // (If it cannot keep up, the follower has said so, and a restart starts fresh.) One write at a
      // time, each whole (a temporary file renamed over the old one).
      saving = saving.then(async () => {
        await follower?.sync().catch(() => undefined);
        await writeFile(`${progressFile}.tmp`, JSON.stringify(progress, null, 2) + "\n");
        await rename(`${progressFile}.tmp`, progressFile);
      });
      return saving;
    };
    await saveProgress();

    const deployerKey = devAccountKey(0);
    const requesterKey = devAccountKey(1);
    const agentKeys = Array.from({ length: agentCount }, (_, i) => devAccountKey(2 + i));
    const deploymentsFile = path.join(dataDir, "deployments.json");

    let reuse = false;
    if (progress.done.deploy !== undefined && existsSync(deploymentsFile)) {
      const probe = await EvmChain.connect({ rpcUrl, deploymentsFile });
      reuse = (await probe.provider.getCode(probe.deployments.contracts.TaskEscrow!.address)) !== "0x";
      probe.close();
    }
    if (reuse) {
      say(`resuming: the contracts in ${path.relative(REPO_ROOT, deploymentsFile)} are still on ${rpcUrl}`);
      resumed.push("deploy");
    } else {
      const deployed = await step("deploy contracts", async () => {
        const r = await deployAll(rpcUrl, deployerKey, [addressOf(requesterKey)], deploymentsFile, say);
        return {
          value: r,
          detail: `${Object.keys(r.deployments.contracts).length} contracts, chain ${r.deployments.chainId}`,
        };
      });
      if (deployed === undefined) throw new Error("deployment failed");
      progress.done.deploy = new Date().toISOString();
      await saveProgress();
    }
    orchestrator = await EvmChain.connect({ rpcUrl, deploymentsFile, privateKey: deployerKey });
    const gov = orchestrator;

    // --- Funding --------------------------------------------------------------------------------
    await step("fund requester, agents and the insurance pool", async () => {
      const need = async (to: string, amount: bigint): Promise<void> => {
        if ((await gov.call<bigint>("AinurToken", "balanceOf", to)) < amount)
          await gov.send("AinurToken", "transfer", to, amount);
      };
      await need(addressOf(requesterKey), parseAmount("10000"));
      for (const k of agentKeys) await need(addressOf(k), parseAmount("1000"));
      const pool = gov.deployments.contracts.InsurancePool!.address;
      if ((await gov.call<bigint>("InsurancePool", "totalAssets")) === 0n) {
        await gov.send("AinurToken", "approve", pool, parseAmount("5000"));
        await gov.send("InsurancePool", "deposit", parseAmount("5000"));
      }
      return {
        value: true,
        detail: `10000 AINUR to the requester, 1000 to each of ${agentCount} agents, 5000 in the pool`,
      };
    });

    // --- The requester (in-process: API + explorer) --------------------------------------------
    const requesterDir = path.join(dataDir, "requester");
    const requesterConfig: NodeConfig = {
      role: "requester",
      name: "requester",
      dataDir: requesterDir,
      chain: { kind: "evm", rpcUrl, deploymentsFile, privateKey: requesterKey },
      transport: { listen: ["/ip4/127.0.0.1/tcp/0"], peers: [], seed: seedFor("requester") },
      api: { port: 0, explorer: true },
    };
    requester = await AinurNode.create(requesterConfig, (l) => say(`requester | ${l}`));
    await requester.start();
    const rq = requester.components;
    const requesterAddr = rq.transport.addresses()[0]!;
    say(`requester up: API ${rq.api!.url}, explorer ${rq.explorer!.url}`);

    // --- Agent processes ------------------------------------------------------------------------
    const specs = agentSpecs(agentCount);
    await step(`start ${agentCount} agent node processes`, async () => {
      const started = await Promise.all(
        specs.map(async (spec, i) => {
          const dir = path.join(dataDir, spec.name);
          await mkdir(dir, { recursive: true });
          const config = {
            role: "agent",
            name: spec.name,
            dataDir: dir,
            chain: { kind: "evm", rpcUrl, deploymentsFile, privateKey: agentKeys[i]! },
            transport: { listen: ["/ip4/127.0.0.1/tcp/0"], peers: [requesterAddr], seed: seedFor(spec.name) },
            agent: {
              capabilities: spec.capabilities,
              zones: spec.zones,
              stake: spec.stake,
              strategy: spec.strategy,
              failOn: spec.failOn,
            },
          };
          const file = path.join(dir, "node.json");
          await writeFile(file, JSON.stringify(config, null, 2) + "\n");
          return startNodeProcess(REPO_ROOT, spec.name, file, say);
        }),
      );
      procs.push(...started);
      for (const p of started) {
        const spec = specs.find((s) => s.name === p.name)!;
        say(
          `  ${p.name}  ${p.ready.did}  ${spec.strategy.name.padEnd(10)} zone ${spec.zones.join(",").padEnd(6)} stake ${spec.stake}  ${spec.capabilities.join(", ")}`,
        );
      }
      return { value: true, detail: `${started.length} agents registered, staked and listening` };
    });

    const info: DevnetInfo = {
      chain: "evm",
      rpcUrl,
      deploymentsFile,
      apiUrl: rq.explorer!.url,
      explorerUrl: rq.explorer!.url,
      requesterDataDir: requesterDir,
      keys: { deployer: deployerKey, requester: requesterKey, agents: agentKeys },
      pid: process.pid,
    };
    await writeFile(path.join(dataDir, "devnet.json"), JSON.stringify(info, null, 2) + "\n");
    say(`explorer: ${info.explorerUrl}`);
    await init.onReady?.(info);

    const node = rq.requester!;
    const runOne = async (
      taskId: string,
      capability: string,
      input: Json,
      zones: string[],
    ): Promise<TaskOutcome> => {
      const o = await node.runTask({ taskId, capability, input, budget: BUDGET, zones });
      outcomes.push(o);
      const paid = formatAmount(BigInt(o.price!));
      say(
        `  ${taskId}: ${o.bids.length} bids, won by ${o.winner!.did} (${o.winner!.strategy}) bidding ${formatAmount(BigInt(o.winner!.price))}, paid ${paid}; ` +
          `anchored leaf ${o.leafIndex} in block ${o.anchorBlock}; proof ${o.verdict?.valid ? "verified on-chain" : "NOT verified"}`,
      );
      return o;
    };

    // --- A stream of tasks ----------------------------------------------------------------------
    const stream: [string, string, Json, string[]][] = [
      ["t1-uppercase", "text.uppercase", { text: "hello ainur" }, ALL_ZONES],
      ["t2-word-count", "text.word-count", { text: "an open market for AI agents" }, ["eu", "apac"]],
      ["t3-sum", "math.sum", { values: [1, 2, 3, 4, 5] }, ALL_ZONES],
      ["t4-sha256", "hash.sha256", { text: "lineage" }, ["us", "apac"]],
      ["t5-concat-apac", "text.concat", { parts: ["only", "apac"], separator: "-" }, ["apac"]],
      ["t6-uppercase-eu", "text.uppercase", { text: "zones matter" }, ["eu"]],
    ];
    const done = progress.done;
    /**
     * Runs a stream task; one that an interrupted run posted but did not finish (its escrow exists)
     * is posted again as `<id>.2` (or `.3`, …).
     */
    const runStreamTask = async (
      id: string,
      capability: string,
      input: Json,
      zones: string[],
    ): Promise<TaskOutcome> => {
      let taskId = id;
      for (
        let attempt = 2;
        (await gov.call<bigint>("TaskEscrow", "statusOf", taskKey(taskId))) !== 0n;
        attempt++
      ) {
        const again = `${id}.${attempt}`;
        say(`  ${taskId} was posted by an interrupted run; posting it again as ${again}`);
        taskId = again;
      }
      return runOne(taskId, capability, input, zones);
    };
    if (done.stream === undefined) {
      // Each task is recorded as it completes: after a crash mid-stream, a restart runs the others.
      const left = stream.filter(([id]) => done[`task:${id}`] === undefined);
      const earlier = stream.length - left.length;
      if (earlier > 0) say(`task stream: ${earlier} of ${stream.length} tasks done in an earlier run`);
      await step(`task stream (${stream.length} tasks, 2 at a time)`, async () => {
        const queue = [...left];
        const errors: string[] = [];
        await Promise.all(
          [0, 1].map(async () => {
            for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
              const [id] = next;
              try {
                await runStreamTask(...next);
                done[`task:${id}`] = new Date().toISOString();
                await saveProgress();
              } catch (e) {
                errors.push(`${id}: ${(e as Error).message}`);
              }
            }
          }),
        );
        if (errors.length > 0) throw new Error(errors.join("; "));
        return {
          value: true,
          detail: `${left.length} tasks completed${earlier > 0 ? ` (and ${earlier} in an earlier run)` : ""}, each proof verified on-chain`,
        };
      });
      if (steps.at(-1)!.ok) progress.done.stream = new Date().toISOString();
      await saveProgress();
    } else {
      say("task stream: done in an earlier run");
      resumed.push("task stream");
    }

    // --- A DAG workflow on the durable runner ---------------------------------------------------
    const workflow: WorkflowSpec = {
      id: "dag-1",
      tasks: [
        {
          id: "a",
          agent: "market",
          capability: "text.uppercase",
          input: { text: "an open market for agents" },
        },
        {
          id: "b",
          agent: "market",
          capability: "text.word-count",
          depends_on: ["a"],
          input: { text: { $ref: "a.output.result.text" }, parent: { $ref: "a.output.commitment" } },
        },
        {
          id: "c",
          agent: "market",
          capability: "hash.sha256",
          depends_on: ["a"],
          input: { text: { $ref: "a.output.result.text" }, parent: { $ref: "a.output.commitment" } },
        },
        {
          id: "d",
          agent: "market",
          capability: "text.concat",
          depends_on: ["b", "c"],
          input: {
            parts: [{ $ref: "a.output.result.text" }, { $ref: "c.output.result.sha256" }],
            separator: " #",
            parent: { $ref: "c.output.commitment" },
          },
        },
      ],
    };
    await step("DAG workflow dag-1 (a → b, c → d)", async () => {
      const runner = rq.workflows!;
      runner.submit(workflow);
      const result = await runner.run(workflow.id);
      for (const t of workflow.tasks) {
        const o = node.outcomes.get(`dag-1/${t.id}`);
        if (o !== undefined && !outcomes.includes(o)) outcomes.push(o);
      }
      if (result.status !== "completed")
        throw new Error(`the workflow ${result.status}: ${result.error?.message ?? ""}`);
      const d = result.outputs.get("d") as { result: { text: string } };
      return {
        value: true,
        detail: `4 tasks, fan-out and fan-in, parent lineage linked; d = "${d.result.text.slice(0, 40)}…"`,
      };
    });
    progress.done.dag = new Date().toISOString();
    await saveProgress();

    // --- The injected failure: slash and insurance payout --------------------------------------
    if (progress.done.failure !== undefined) resumed.push("injected failure");
    if (progress.done.governance !== undefined) resumed.push("governance");
    if (progress.done.failure === undefined) {
      await step("injected failure: slash and insurance payout", async () => {
        const agent5 = addressOf(agentKeys[4] ?? agentKeys[0]!);
        const before = await gov.call<{ bonded: bigint }>("ReputationStaking", "stakeOf", agent5);
        const chain = rq.chain;
        const balanceBefore = await chain.call<bigint>("AinurToken", "balanceOf", chain.address);
        let failed: TaskOutcome | undefined;
        try {
          await node.runTask({
            taskId: "t7-echo-fails",
            capability: "text.echo",
            input: { text: "this one fails" },
            budget: BUDGET,
            zones: ALL_ZONES,
            insure: true,
            deadlineSeconds: 300,
          });
        } catch (error) {
          if (!(error instanceof ExecutionFailedError)) throw error;
          failed = error.outcome;
        }
        if (failed === undefined) throw new Error("the task meant to fail completed");
        outcomes.push(failed);
        say(`  t7-echo-fails: awarded to ${failed.winner!.did}, insured, and failed: ${failed.error}`);
        await gov.increaseTime(301);
        const receipt = await chain.send("TaskEscrow", "timeout", failed.taskKey);
        const [taskFailed] = chain.events("TaskEscrow", receipt, "TaskFailed");
        const [claim] = chain.events("InsurancePool", receipt, "ClaimPaid");
        const after = await gov.call<{ bonded: bigint }>("ReputationStaking", "stakeOf", agent5);
        const balanceAfter = await chain.call<bigint>("AinurToken", "balanceOf", chain.address);
        if (taskFailed === undefined || claim === undefined)
          throw new Error("no TaskFailed or ClaimPaid event");
        const slashed = before.bonded - after.bonded;
        if (slashed <= 0n) throw new Error("the agent's stake was not slashed");
        say(
          `  slashed ${formatAmount(slashed)} AINUR from ${failed.winner!.did} (stake ${formatAmount(before.bonded)} → ${formatAmount(after.bonded)}); ` +
            `refund ${formatAmount(BigInt(failed.price!))} + insurance claim ${formatAmount(claim.amount as bigint)} paid to the requester`,
        );
        return {
          value: true,
          detail: `slashed ${formatAmount(slashed)} AINUR, insurance paid ${formatAmount(claim.amount as bigint)} AINUR (requester +${formatAmount(balanceAfter - balanceBefore)})`,
        };
      });
      if (steps.at(-1)!.ok) progress.done.failure = new Date().toISOString();
      await saveProgress();
    }

    // --- Governance through the timelock --------------------------------------------------------
    if (progress.done.governance === undefined) {
      await step("governance: minimumStake 100 → 150 AINUR through the timelock", async () => {
        const before = await gov.call<bigint>("ReputationStaking", "minimumStake");
        const p = await propose(
          gov,
          "minimumStake",
          "150",
          `Raise the minimum stake to 150 AINUR (devnet ${Date.now()})`,
        );
        say(`  proposal ${p.id.toString().slice(0, 12)}…: ${await proposalState(gov, p.id)}`);
        const delay = Number(await gov.call<bigint>("AinurGovernor", "votingDelay"));
        await gov.mine(delay + 1);
        await vote(gov, p.id, 1);
        const period = Number(await gov.call<bigint>("AinurGovernor", "votingPeriod"));
        await gov.mine(period + 1);
        const passed = await proposalState(gov, p.id);
        if (passed !== "Succeeded") throw new Error(`the proposal is ${passed}, not Succeeded`);
        await queue(gov, p);
        say(`  voted for, ${passed}, queued in the timelock`);
        const minDelay = Number(await gov.call<bigint>("AinurTimelock", "getMinDelay"));
        await gov.increaseTime(minDelay + 1);
        await execute(gov, p);
        const after = await gov.call<bigint>("ReputationStaking", "minimumStake");
        const state = PROPOSAL_STATE[Number(await gov.call<bigint>("AinurGovernor", "state", p.id))];
        if (after !== parseAmount("150"))
          throw new Error(`minimumStake is ${formatAmount(after)} after execution`);
        return {
          value: true,
          detail: `${state}: minimumStake ${formatAmount(before)} → ${formatAmount(after)} AINUR`,
        };
      });
      if (steps.at(-1)!.ok) progress.done.governance = new Date().toISOString();
      await saveProgress();
    }

    // --- Reputation, as the chain now has it ------------------------------------------------------
    await step("reputation updated on-chain", async () => {
      const lines: string[] = [];
      let total = 0;
      for (let i = 0; i < agentCount; i++) {
        const addr = addressOf(agentKeys[i]!);
        const r = await gov.call<{ completed: bigint; failed: bigint }>(
          "ReputationStaking",
          "recordOf",
          addr,
        );
        const score = await gov.call<bigint>("ReputationStaking", "scoreOf", addr);
        const stake = await gov.call<{ bonded: bigint }>("ReputationStaking", "stakeOf", addr);
        total += Number(r.completed) + Number(r.failed);
        lines.push(
          `  ${specs[i]!.name}: ${r.completed} completed, ${r.failed} failed, score ${score}, stake ${formatAmount(stake.bonded)}`,
        );
      }
      for (const l of lines) say(l);
      const expected = outcomes.filter((o) => o.status === "completed").length + 1;
      if (total < expected) throw new Error(`${total} outcomes recorded, expected ${expected}`);
      return { value: true, detail: `${total} outcomes recorded across ${agentCount} agents` };
    });
  } catch (error) {
    const e = error as Error;
    steps.push({ name: "devnet", ok: false, detail: `${e.name}: ${e.message}`, ms: 0 });
    say(`✘ devnet: ${e.message}`);
  }

  // --- Summary --------------------------------------------------------------------------------
  let gasUsed = 0n;
  let transactions = 0;
  if (orchestrator !== undefined) {
    try {
      const last = await orchestrator.blockNumber();
      const first = orchestrator.deployments.startBlock ?? 0;
      for (let b = first; b <= last; b++) {
        const block = await orchestrator.provider.getBlock(b);
        if (block === null) continue;
        gasUsed += block.gasUsed;
        transactions += block.transactions.length;
      }
    } catch {
      // the chain is gone: report what we have
    }
  }
  const tasks: TaskSummary[] = outcomes.map((o) => ({
    taskId: o.taskId,
    capability: o.capability,
    status: o.status,
    winner: o.winner?.did ?? null,
    strategy: o.winner?.strategy ?? null,
    winningBid: o.winner === undefined ? null : formatAmount(BigInt(o.winner.price)),
    paid: o.price === undefined ? null : formatAmount(BigInt(o.price)),
    bids: o.bids.length,
    postToAnchorMs: o.timings.anchoredAt === undefined ? null : o.timings.anchoredAt - o.timings.postedAt,
    proofVerified: o.verdict?.valid === true && o.verdict.checks.onChain === true,
  }));
  const completed = tasks.filter((t) => t.status === "completed");
  const seconds = (performance.now() - started) / 1000;
  const firstPost = Math.min(...outcomes.map((o) => o.timings.postedAt));
  const lastDone = Math.max(...outcomes.map((o) => o.timings.doneAt ?? o.timings.executedAt ?? 0));
  const summary: DevnetSummary = {
    ok: steps.length > 0 && steps.every((s) => s.ok),
    chain: "evm",
    resumed,
    ...(replayed === undefined
      ? {}
      : { replayed: { blocks: replayed.blocks, transactions: replayed.transactions, ms: replayed.ms } }),
    steps,
    tasks,
    tasksCompleted: completed.length,
    tasksPosted: tasks.length,
    proofsVerified: tasks.filter((t) => t.proofVerified).length,
    gasUsed: gasUsed.toString(),
    transactions,
    seconds: Math.round(seconds * 10) / 10,
    postToAnchorP50Ms: median(completed.map((t) => t.postToAnchorMs!).filter((x) => x !== null)),
    tasksPerMinute:
      completed.length > 0 && lastDone > firstPost
        ? Math.round((completed.length / ((lastDone - firstPost) / 60_000)) * 10) / 10
        : null,
    dataDir,
  };
  await writeFile(path.join(dataDir, "summary.json"), JSON.stringify(summary, null, 2) + "\n").catch(
    () => undefined,
  );
  printSummary(summary, say);

  if (!init.once && summary.ok) {
    say(
      `the devnet keeps running: explorer ${requester?.components.explorer?.url ?? "(none)"}; press Ctrl-C to stop`,
    );
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
  }
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  say("stopping: agents, requester, chain");
  await shutdown();
  return summary;
}

/** Waits for `work` at most `ms`, then says so and goes on. Never rejects. */
async function settleWithin(
  work: Promise<unknown>,
  ms: number,
  what: string,
  say: (line: string) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      say(`✘ ${what} did not stop within ${ms / 1000} s; stopping the rest without it`);
      resolve();
    }, ms);
  });
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    late,
  ]);
  clearTimeout(timer);
}

/** The chain journal's file in the data directory (a chain of its own only). */
export const JOURNAL_FILE = "chain-journal.sqlite";

/**
 * Rebuilds the previous run's chain: a new `hardhat node` with the journal's genesis timestamp,
 * and the journal replayed into it. Undefined (after saying why) when that is not possible; the
 * caller then starts a fresh chain.
 */
async function resumeChain(
  journalFile: string,
  say: (line: string) => void,
): Promise<{ chain: Devchain; journal: ChainJournal; replayed: ReplayResult } | undefined> {
  let journal: ChainJournal | undefined;
  let chain: Devchain | undefined;
  try {
    journal = ChainJournal.open(journalFile);
    const genesis = journal.genesis();
    const head = journal.head();
    if (genesis === undefined || head === undefined)
      throw new Error(`the chain journal ${journalFile} holds no chain`);
    say(`resuming the chain: replaying ${head.number} blocks from ${path.relative(REPO_ROOT, journalFile)}`);
    chain = await startHardhatNode(REPO_ROOT, { genesisTimestamp: genesis.timestamp });
    const replayed = await replayJournal(journal, chain.url);
    say(
      `local EVM (hardhat node) on ${chain.url}, resumed: ${replayed.blocks} blocks and ${replayed.transactions} transactions replayed in ${(replayed.ms / 1000).toFixed(1)} s; every block's state root as recorded`,
    );
    return { chain, journal, replayed };
  } catch (error) {
    const e = error as Error;
    say(`✘ cannot resume the chain: ${e.name}: ${e.message}`);
    say("  starting a fresh chain instead");
    journal?.close();
    await chain?.stop();
    return undefined;
  }
}

/** A stable 32-byte peer-key seed per node name, so peer ids survive restarts. */
function seedFor(name: string): string {
  return "0x" + Buffer.from(`ainur-devnet-peer-seed:${name}`.padEnd(32, "#").slice(0, 32)).toString("hex");
}

export function printSummary(s: DevnetSummary, say: (line: string) => void): void {
  say("");
  say("──────────────────────────── summary ────────────────────────────");
  if (s.replayed !== undefined) {
    say(
      `chain             resumed from the journal: ${s.replayed.blocks} blocks, ${s.replayed.transactions} transactions replayed in ${(s.replayed.ms / 1000).toFixed(1)} s`,
    );
  }
  if (s.resumed !== undefined && s.resumed.length > 0) {
    say(`resumed           ${s.resumed.join(", ")}: done in an earlier run on this chain`);
  }
  say(`tasks completed   ${s.tasksCompleted} of ${s.tasksPosted} posted (1 failure injected on purpose)`);
  say("prices            task                 bids  winning bid  paid (2nd price)  winner");
  for (const t of s.tasks) {
    say(
      `                  ${t.taskId.padEnd(20)} ${String(t.bids).padStart(4)}  ${(t.winningBid ?? "-").padStart(11)}  ${(t.paid ?? "-").padStart(16)}  ${t.winner ?? "-"} (${t.strategy ?? "-"})${t.status === "completed" ? "" : "  FAILED"}`,
    );
  }
  if (s.chain === "evm")
    say(
      `gas spent         ${Number(s.gasUsed).toLocaleString("en-US")} gas in ${s.transactions} transactions`,
    );
  else say("gas spent         n/a: Substrate charges fees in the native token, not gas");
  say(
    s.chain === "evm"
      ? `proofs verified   ${s.proofsVerified} on-chain (LineageRegistry.auditLineage)`
      : `proofs verified   ${s.proofsVerified} (Groth16 in JS; each root checked as anchored on-chain)`,
  );
  say(`post → anchor     p50 ${s.postToAnchorP50Ms ?? "-"} ms; ${s.tasksPerMinute ?? "-"} tasks/min`);
  say(`time              ${s.seconds} s`);
  for (const step of s.steps) say(`${step.ok ? "✔" : "✘"} ${step.name}`);
  say(
    s.ok
      ? "ALL STEPS PASSED"
      : `FAILED: ${s.steps
          .filter((x) => !x.ok)
          .map((x) => x.name)
          .join(", ")}`,
  );
}
