/**
 * Property tests: random sequences of real transactions against one deployed Ainur (restored from a
 * snapshot before each run), with a fixed seed. Across the runs at least 10,000 actions hit stake, unbond,
 * slash, escrow, award, release, refund, dispute, insure, claim, deposit and withdraw. Checked throughout:
 * token conservation (every token is held by a known account, and each contract holds exactly what it
 * owes), pool solvency, slash caps, and that slashes only come from the allowed paths.
 */
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import { id, parseEther } from "ethers";
import type { ContractTransactionResponse, Log } from "ethers";
import { DAY, signAward, stakedFixture } from "./fixture.ts";
import type { Ainur } from "./fixture.ts";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { untyped } from "./helpers.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const SEED = 20261122;
const RUNS = Number(process.env.AINUR_PROPERTY_RUNS ?? 100);
const ACTIONS_PER_RUN = 100;
const CAPS_BPS = [1_000n, 2_000n, 5_000n]; // escrow, dispute, governance (deploy defaults)
const S = {
  None: 0n,
  Funded: 1n,
  Awarded: 2n,
  Submitted: 3n,
  Disputed: 4n,
  Released: 5n,
  Refunded: 6n,
  Failed: 7n,
};

interface Model {
  id: string;
  requester: HardhatEthersSigner;
  agent: HardhatEthersSigner;
  budget: bigint;
  status: bigint;
}

/** The task statuses in which each task action can succeed. */
const WANTED: Partial<Record<Action["kind"], bigint[]>> = {
  award: [S.Funded],
  cancel: [S.Funded],
  submit: [S.Awarded],
  timeout: [S.Funded, S.Awarded],
  insure: [S.Awarded, S.Submitted],
  accept: [S.Submitted],
  release: [S.Submitted],
  dispute: [S.Submitted],
  answer: [S.Disputed],
  vote: [S.Disputed],
  resolve: [S.Disputed],
  claim: [S.Failed],
};

type Action =
  | { kind: "bond" | "unbond"; who: number; amount: number }
  | { kind: "withdrawStake"; who: number }
  | { kind: "outsiderSlash" | "governanceSlash"; who: number; amount: number }
  | { kind: "create"; who: number; budget: number; window: number }
  | { kind: "award"; task: number; who: number; pricePct: number; byRequester: boolean }
  | {
      kind: "submit" | "release" | "timeout" | "cancel" | "dispute" | "answer" | "resolve" | "claim";
      task: number;
    }
  | { kind: "accept"; task: number; rating: number }
  | { kind: "vote"; task: number; arb: number; forAgent: boolean }
  | { kind: "insure"; task: number; amount: number }
  | { kind: "deposit"; who: number; amount: number }
  | { kind: "requestWithdraw"; who: number; pct: number }
  | { kind: "withdraw"; who: number }
  | { kind: "wait"; seconds: number }
  | { kind: "sweep" };

const who3 = fc.integer({ min: 0, max: 2 });
const task = fc.integer({ min: 0, max: 3 });
const amount = fc.integer({ min: 1, max: 400 });
const onTask = <K extends string>(kind: K) => fc.record({ kind: fc.constant(kind), task });
const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  w(2, fc.record({ kind: fc.constant("bond" as const), who: who3, amount })),
  w(
    2,
    fc.record({ kind: fc.constant("unbond" as const), who: who3, amount: fc.integer({ min: 1, max: 100 }) }),
  ),
  w(1, fc.record({ kind: fc.constant("withdrawStake" as const), who: who3 })),
  w(1, fc.record({ kind: fc.constant("outsiderSlash" as const), who: who3, amount })),
  w(
    1,
    fc.record({
      kind: fc.constant("governanceSlash" as const),
      who: who3,
      amount: fc.integer({ min: 1, max: 30 }),
    }),
  ),
  w(
    3,
    fc.record({
      kind: fc.constant("create" as const),
      who: fc.integer({ min: 0, max: 1 }),
      budget: amount,
      window: fc.integer({ min: 1, max: 3 }),
    }),
  ),
  w(
    5,
    fc.record({
      kind: fc.constant("award" as const),
      task,
      who: who3,
      pricePct: fc.integer({ min: 1, max: 105 }),
      byRequester: fc.boolean(),
    }),
  ),
  w(4, onTask("submit" as const)),
  w(2, fc.record({ kind: fc.constant("accept" as const), task, rating: fc.integer({ min: 0, max: 5 }) })),
  w(1, onTask("release" as const)),
  w(2, onTask("timeout" as const)),
  w(1, onTask("cancel" as const)),
  w(2, onTask("dispute" as const)),
  w(2, onTask("answer" as const)),
  w(3, fc.record({ kind: fc.constant("vote" as const), task, arb: who3, forAgent: fc.boolean() })),
  w(2, onTask("resolve" as const)),
  w(2, fc.record({ kind: fc.constant("insure" as const), task, amount })),
  w(1, onTask("claim" as const)),
  w(1, fc.record({ kind: fc.constant("sweep" as const) })),
  w(
    2,
    fc.record({
      kind: fc.constant("deposit" as const),
      who: fc.integer({ min: 0, max: 1 }),
      amount: fc.integer({ min: 1, max: 2000 }),
    }),
  ),
  w(
    1,
    fc.record({
      kind: fc.constant("requestWithdraw" as const),
      who: fc.integer({ min: 0, max: 1 }),
      pct: fc.integer({ min: 1, max: 100 }),
    }),
  ),
  w(1, fc.record({ kind: fc.constant("withdraw" as const), who: fc.integer({ min: 0, max: 1 }) })),
  w(3, fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 60, max: DAY / 4 }) })),
  w(1, fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: DAY, max: 3 * DAY }) })),
);

describe("Properties (fast-check, fixed seed)", function () {
  this.timeout(600_000);

  it(`conserves tokens, keeps the pool solvent and slashes only within caps over ${RUNS * ACTIONS_PER_RUN} random actions`, async function () {
    const a: Ainur = await stakedFixture(connection);
    const { requester, requester2, agent, agent2, arb1, arb2, arb3, lp, lp2, auctioneer, outsider } =
      a.actors;
    const agents = [agent, agent2, arb1];
    const requesters = [requester, requester2];
    const arbs = [arb1, arb2, arb3];
    const lps = [lp, lp2];
    const addr = {
      staking: await a.staking.getAddress(),
      escrow: await a.escrow.getAddress(),
      pool: await a.pool.getAddress(),
      timelock: await a.timelock.getAddress(),
    };
    const holders = [
      ...Object.values(a.actors).map((s) => s.address),
      addr.staking,
      addr.escrow,
      addr.pool,
      addr.timelock,
    ];
    const supply: bigint = await a.token.totalSupply();
    const probe = untyped(await connection.ethers.deployContract("InvariantProbe"));
    const probeArgs = [
      await a.token.getAddress(),
      addr.staking,
      addr.pool,
      agents.map((g) => g.address),
    ] as const;
    // Raw eth_calls: the ethers Contract layer costs more than the EVM call itself, after every action.
    const probeCall = {
      to: await probe.getAddress(),
      data: probe.interface.encodeFunctionData("probe", probeArgs),
    };
    const readProbe = async (): Promise<bigint[] & [bigint, bigint, bigint, bigint, bigint, bigint[]]> =>
      probe.interface.decodeFunctionResult(
        "probe",
        await connection.provider.request({ method: "eth_call", params: [probeCall, "latest"] }),
      );
    const statusOf = async (taskId: string): Promise<bigint> =>
      BigInt(
        (await connection.provider.request({
          method: "eth_call",
          params: [
            { to: addr.escrow, data: a.escrow.interface.encodeFunctionData("statusOf", [taskId]) },
            "latest",
          ],
        })) as string,
      );
    const snapshot = await networkHelpers.takeSnapshot();
    const startTime = await networkHelpers.time.latest();
    const GAS = {}; // overrides for every transaction (none: ethers estimates gas, which rejects failing calls cheaply)
    let actionsRun = 0;
    let accepted = 0;
    let slashes = 0;
    const seen = new Map<string, number>();
    const ok = new Map<string, number>();

    const send = async (p: Promise<ContractTransactionResponse>): Promise<readonly Log[] | null> => {
      try {
        const receipt = await (await p).wait();
        accepted++;
        return receipt!.logs;
      } catch (e) {
        if (process.env.AINUR_PROPERTY_DEBUG) console.log((e as Error).message.slice(0, 160));
        return null; // a rejected action is fine; the invariants must hold either way
      }
    };

    const run = async (actions: Action[], runIndex: number): Promise<void> => {
      await snapshot.restore();
      // The chain's clock is driven by the run alone (one second per action, plus the waits), never by the
      // wall clock, so that a seed replays exactly on any machine.
      let clock = startTime;
      // Tasks are created as the run goes. A task argument k picks the k-th most recent task in a status the
      // action can apply to (or, failing that, the k-th most recent task at all), so that runs go deep.
      const created: Model[] = [];
      const missing: Model = {
        id: id(`run-${runIndex}-missing`),
        requester,
        agent,
        budget: parseEther("1"),
        status: S.None,
      };
      const pick = (k: number, kind: Action["kind"]): Model => {
        const wanted = WANTED[kind] ?? [];
        const fitting = created.filter((t) => wanted.includes(t.status));
        const from = fitting.length > 0 ? fitting : created;
        return from[from.length - 1 - (k % Math.max(1, from.length))] ?? missing;
      };
      stakes = [...(await readProbe())[5]];
      for (const act of actions) {
        clock += act.kind === "wait" ? act.seconds : 1;
        await connection.provider.request({ method: "evm_setNextBlockTimestamp", params: [clock] });
        actionsRun++;
        seen.set(act.kind, (seen.get(act.kind) ?? 0) + 1);
        const before = stakes;
        const t = "task" in act ? pick(act.task, act.kind) : missing;
        let logs: readonly Log[] | null = null;
        let viaTimelock = false;
        switch (act.kind) {
          case "bond":
            logs = await send(a.staking.connect(agents[act.who]).bond(parseEther(String(act.amount)), GAS));
            break;
          case "unbond":
            logs = await send(
              a.staking.connect(agents[act.who]).requestUnbond(parseEther(String(act.amount)), GAS),
            );
            break;
          case "withdrawStake":
            logs = await send(a.staking.connect(agents[act.who]).withdrawUnbonded(GAS));
            break;
          case "outsiderSlash":
            for (const source of [0, 1, 2]) {
              const r = await send(
                a.staking
                  .connect(outsider)
                  .slash(agents[act.who]!.address, parseEther(String(act.amount)), source, id("x"), GAS),
              );
              expect(r, "an outsider slashed").to.equal(null);
            }
            break;
          case "governanceSlash":
            viaTimelock = true;
            logs = await send(
              a.staking
                .connect(a.timelockSigner)
                .slash(agents[act.who]!.address, parseEther(String(act.amount)), 2, id("dao"), GAS),
            );
            break;
          case "create": {
            const deadline = clock + act.window * DAY;
            const budget = parseEther(String(act.budget));
            const taskId = id(`run-${runIndex}-task-${created.length}`);
            logs = await send(
              a.escrow.connect(requesters[act.who]).createTask(taskId, budget, deadline, DAY, false, GAS),
            );
            if (logs !== null)
              created.push({ id: taskId, requester: requesters[act.who]!, agent, budget, status: S.Funded });
            break;
          }
          case "award": {
            const price = (t.budget * BigInt(act.pricePct)) / 100n;
            const signer = act.byRequester ? t.requester : auctioneer;
            const sig = await signAward(a.escrow, signer, t.id, agents[act.who]!.address, price);
            logs = await send(a.escrow.award(t.id, agents[act.who]!.address, price, sig, GAS));
            if (logs !== null) t.agent = agents[act.who]!;
            break;
          }
          case "submit": {
            const by = t.agent;
            logs = await send(a.escrow.connect(by).submitResult(t.id, id("result"), id("leaf"), GAS));
            break;
          }
          case "accept": {
            const by = t.requester;
            logs = await send(a.escrow.connect(by).accept(t.id, act.rating, GAS));
            break;
          }
          case "release":
            logs = await send(a.escrow.release(t.id, GAS));
            break;
          case "timeout":
            logs = await send(a.escrow.timeout(t.id, GAS));
            break;
          case "cancel": {
            const by = t.requester;
            logs = await send(a.escrow.connect(by).cancel(t.id, GAS));
            break;
          }
          case "dispute": {
            const by = t.requester;
            logs = await send(a.escrow.connect(by).openDispute(t.id, GAS));
            break;
          }
          case "answer": {
            const by = t.agent;
            logs = await send(a.escrow.connect(by).answerDispute(t.id, GAS));
            break;
          }
          case "vote":
            logs = await send(a.escrow.connect(arbs[act.arb]).vote(t.id, act.forAgent, GAS));
            break;
          case "resolve":
            logs = await send(a.escrow.resolveDispute(t.id, GAS));
            break;
          case "insure": {
            const by = t.requester;
            logs = await send(
              a.pool.connect(by).buyCover(t.id, parseEther(String(act.amount)), parseEther("1000"), GAS),
            );
            break;
          }
          case "claim":
            logs = await send(a.pool.claim(t.id, GAS));
            break;
          case "deposit":
            logs = await send(a.pool.connect(lps[act.who]).deposit(parseEther(String(act.amount)), GAS));
            break;
          case "requestWithdraw": {
            const shares: bigint = await a.pool.sharesOf(lps[act.who]!.address);
            logs = await send(
              a.pool.connect(lps[act.who]).requestWithdrawal((shares * BigInt(act.pct)) / 100n, GAS),
            );
            break;
          }
          case "withdraw":
            logs = await send(a.pool.connect(lps[act.who]).withdraw(GAS));
            break;
          case "sweep":
            logs = await send(a.escrow.sweepFees(GAS));
            break;
          case "wait":
            logs = [];
            break;
        }

        if (logs !== null) ok.set(act.kind, (ok.get(act.kind) ?? 0) + 1);
        if (logs !== null && "task" in act && t !== missing) t.status = await statusOf(t.id);
        // Slashes: only from the escrow's outcome paths or governance, never above the source's cap.
        for (const log of logs ?? []) {
          if (log.address !== addr.staking) continue;
          const parsed = a.staking.interface.parseLog(log);
          if (parsed?.name !== "StakeSlashed") continue;
          slashes++;
          const [operator, source, slashed] = parsed.args as unknown as [string, bigint, bigint];
          const i = agents.findIndex((g) => g.address === operator);
          expect(i, "slashed an unknown operator").to.be.greaterThanOrEqual(0);
          expect(slashed).to.be.lessThanOrEqual((before[i]! * CAPS_BPS[Number(source)]!) / 10_000n);
          if (viaTimelock) expect(source).to.equal(2n);
          else {
            expect(["timeout", "resolve"]).to.include(act.kind);
            expect(source).to.equal(act.kind === "timeout" ? 0n : 1n);
          }
        }

        // Cheap invariants after every action.
        const [stakeBal, bonded, unbonding, poolBal, cover, after] = await readProbe();
        stakes = [...after];
        expect(stakeBal, "staking holds exactly the bonded and unbonding stake").to.equal(bonded + unbonding);
        expect(poolBal >= cover, `pool insolvent: ${poolBal} < ${cover}`).to.equal(true);
      }

      // Full conservation at the end of the run.
      const balances: bigint[] = await Promise.all(holders.map((h) => a.token.balanceOf(h)));
      expect(
        balances.reduce((x, y) => x + y, 0n),
        "tokens appeared or vanished",
      ).to.equal(supply);
      let owed = 0n;
      for (const t of created.map((c) => c.id)) {
        const [task, d] = await Promise.all([a.escrow.taskOf(t), a.escrow.disputeOf(t)]);
        if (task.status === S.Funded) owed += task.budget;
        else if (task.status === S.Awarded || task.status === S.Submitted) owed += task.price;
        else if (task.status === S.Disputed) owed += task.price + d.bond + (d.agentAnswered ? d.bond : 0n);
      }
      for (const h of arbs.map((x) => x.address)) owed += await a.escrow.arbitrationFeesOf(h);
      owed += await a.escrow.accruedFees();
      expect(await a.token.balanceOf(addr.escrow), "escrow holds exactly what it owes").to.equal(owed);
    };
    let stakes: bigint[] = [];

    let runIndex = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { minLength: ACTIONS_PER_RUN, maxLength: ACTIONS_PER_RUN }),
        async (actions) => {
          await run(actions, runIndex++);
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(
      `      ${actionsRun} actions (${accepted} transactions accepted, ${slashes} slashes) over ${runIndex} runs; by kind: ` +
        [...seen.entries()].map(([k, v]) => `${k} ${ok.get(k) ?? 0}/${v}`).join(", "),
    );
    expect(actionsRun).to.be.greaterThanOrEqual(RUNS * ACTIONS_PER_RUN);
    expect(ok.get("outsiderSlash") ?? 0, "an outsider slashed").to.equal(0);
    if (RUNS >= 50) {
      // The runs reached every path: each of these succeeded at least once.
      for (const kind of [
        "bond",
        "unbond",
        "withdrawStake",
        "governanceSlash",
        "create",
        "award",
        "submit",
        "accept",
        "release",
        "timeout",
        "cancel",
        "dispute",
        "answer",
        "vote",
        "resolve",
        "insure",
        "deposit",
        "requestWithdraw",
        "withdraw",
      ]) {
        expect(ok.get(kind) ?? 0, `no successful ${kind}`).to.be.greaterThan(0);
      }
      expect(slashes).to.be.greaterThan(0);
    }
  });
});
