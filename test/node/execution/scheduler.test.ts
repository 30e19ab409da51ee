import { expect } from "chai";
import fc from "fast-check";
import { buildDag, DagValidationError } from "../../../node/src/execution/dag.ts";
import type { TaskSpec, WorkflowSpec } from "../../../node/src/execution/dag.ts";
import { runDag, TaskTimeoutError } from "../../../node/src/execution/scheduler.ts";
import type { DagEvent } from "../../../node/src/execution/scheduler.ts";
import { AdapterRegistry } from "../../../node/src/execution/adapter-registry.ts";
import { builtinAgents } from "../../../node/src/execution/adapters/builtin.ts";
import { Backoff } from "../../../node/src/routing/backoff.ts";
import { seededRng } from "../../../node/src/routing/rng.ts";
import type { Json } from "../../../node/src/storage/event-log.ts";

const agents = new AdapterRegistry(builtinAgents());
const fastBackoff = (): Backoff => new Backoff({ baseMs: 1, maxMs: 4, rng: seededRng(3) });

describe("execution: DAG workflows", () => {
  it("rejects cycles, unknown and duplicate ids, and references to tasks it does not depend on", () => {
    const wf = (tasks: TaskSpec[]): WorkflowSpec => ({ id: "wf", tasks });
    expect(() =>
      buildDag(
        wf([
          { id: "a", agent: "builtin:echo", depends_on: ["c"] },
          { id: "b", agent: "builtin:echo", depends_on: ["a"] },
          { id: "c", agent: "builtin:echo", depends_on: ["b"] },
        ]),
      ),
    ).to.throw(DagValidationError, /cycle through a, b, c/);
    expect(() => buildDag(wf([{ id: "a", agent: "x", depends_on: ["nope"] }]))).to.throw(
      /"nope", which is not a task/,
    );
    expect(() =>
      buildDag(
        wf([
          { id: "a", agent: "x" },
          { id: "a", agent: "x" },
        ]),
      ),
    ).to.throw(/used twice/);
    expect(() =>
      buildDag(
        wf([
          { id: "a", agent: "x" },
          { id: "b", agent: "x", input: { $ref: "a.output" } },
        ]),
      ),
    ).to.throw(/task it depends on/);
    expect(() => buildDag(wf([]))).to.throw(/no tasks/);
    // Untrusted shapes (e.g. from the HTTP API) are refused before anything reads them.
    const bad = (spec: unknown): WorkflowSpec => spec as WorkflowSpec;
    expect(() => buildDag(bad(null))).to.throw(DagValidationError, /JSON object/);
    expect(() => buildDag(bad({ id: "w", tasks: {} }))).to.throw(/"tasks" array/);
    expect(() => buildDag(bad({ id: "w", tasks: [{ id: "a" }] }))).to.throw(/string "agent"/);
    expect(() => buildDag(bad({ id: "w", tasks: [{ id: "a", agent: "x", depends_on: "b" }] }))).to.throw(
      /array of task ids/,
    );
    expect(() => buildDag(bad({ id: "w", tasks: [{ id: "a", agent: "x", retries: -1 }] }))).to.throw(
      /"retries"/,
    );
    expect(() => buildDag(bad({ id: "w", tasks: [{ id: "a", agent: "x", timeout_ms: "5" }] }))).to.throw(
      /"timeout_ms"/,
    );
  });

  it("fans out, fans in, and passes earlier outputs into later inputs", async () => {
    const events: DagEvent[] = [];
    const result = await runDag(
      {
        id: "fan",
        tasks: [
          { id: "src", agent: "builtin:echo", input: { text: "the quick brown fox", values: [1, 2, 3] } },
          {
            id: "up",
            agent: "builtin:uppercase",
            depends_on: ["src"],
            input: { text: { $ref: "src.output.text" } },
          },
          {
            id: "count",
            agent: "builtin:word-count",
            depends_on: ["src"],
            input: { text: { $ref: "src.output.text" } },
          },
          {
            id: "sum",
            agent: "builtin:sum",
            depends_on: ["src"],
            input: { values: { $ref: "src.output.values" } },
          },
          {
            id: "report",
            agent: "builtin:echo",
            depends_on: ["up", "count", "sum"],
            input: {
              title: { $ref: "up.output.text" },
              words: { $ref: "count.output.words" },
              total: { $ref: "sum.output.sum" },
            },
          },
        ],
      },
      { execute: agents.executor(), onEvent: (e) => events.push(e) },
    );
    expect(result.status).to.equal("completed");
    expect(result.outputs.get("report")).to.deep.equal({ title: "THE QUICK BROWN FOX", words: 4, total: 6 });
    const started = events.filter((e) => e.type === "task:started").map((e) => e.taskId);
    expect(started[0]).to.equal("src");
    expect(started.slice(1, 4).sort()).to.deep.equal(["count", "sum", "up"]); // fan-out started together
    expect(started[4]).to.equal("report");
  });

  it("retries with backoff, then fails for good and skips what depended on the failure", async () => {
    const events: DagEvent[] = [];
    const ok = await runDag(
      {
        id: "r1",
        tasks: [{ id: "f", agent: "builtin:flaky", retries: 2, input: { failures: 2, value: "third time" } }],
      },
      { execute: agents.executor(), backoff: fastBackoff(), onEvent: (e) => events.push(e) },
    );
    expect(ok.status).to.equal("completed");
    expect(ok.outputs.get("f")).to.equal("third time");
    expect(
      events.filter((e) => e.type === "task:failed").map((e) => (e as { willRetry: boolean }).willRetry),
    ).to.deep.equal([true, true]);

    const bad = await runDag(
      {
        id: "r2",
        tasks: [
          { id: "f", agent: "builtin:flaky", retries: 1, input: { failures: 5 } },
          { id: "after", agent: "builtin:echo", depends_on: ["f"] },
          { id: "side", agent: "builtin:echo", input: 1 },
        ],
      },
      { execute: agents.executor(), backoff: fastBackoff(), concurrency: 1 },
    );
    expect(bad.status).to.equal("failed");
    expect(bad.failedTask).to.equal("f");
    expect(bad.error!.message).to.match(/attempt 2 of 5/);
    expect(bad.skipped).to.include("after");
  });

  it("times out an attempt, retries it, and reports the timeout", async () => {
    const events: DagEvent[] = [];
    const result = await runDag(
      {
        id: "t",
        tasks: [{ id: "slow", agent: "builtin:delay", timeout_ms: 30, retries: 1, input: { ms: 60_000 } }],
      },
      { execute: agents.executor(), backoff: fastBackoff(), onEvent: (e) => events.push(e) },
    );
    expect(result.status).to.equal("failed");
    expect(result.error).to.be.instanceOf(TaskTimeoutError);
    expect(events.filter((e) => e.type === "task:started")).to.have.length(2);
  });

  it("cancels in-flight tasks and skips the rest when the signal aborts", async () => {
    const controller = new AbortController();
    const events: DagEvent[] = [];
    const pending = runDag(
      {
        id: "c",
        tasks: [
          { id: "long", agent: "builtin:delay", input: { ms: 60_000 } },
          { id: "next", agent: "builtin:echo", depends_on: ["long"] },
        ],
      },
      {
        execute: agents.executor(),
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (e.type === "task:started")
            setImmediate(() => controller.abort(new Error("requester cancelled")));
        },
      },
    );
    const result = await pending;
    expect(result.status).to.equal("cancelled");
    expect(result.error!.message).to.match(/cancelled: requester cancelled/);
    expect(result.skipped).to.deep.equal(["long", "next"]);
    expect(events.some((e) => e.type === "task:completed")).to.equal(false);
  });

  it("respects dependencies, concurrency and failure propagation on random DAGs (fast-check, seed 7)", async () => {
    const dagArb = fc
      .integer({ min: 1, max: 14 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
          fc.integer({ min: 1, max: 4 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
          fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: undefined }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(dagArb, async ([matrix, concurrency, yields, failing]) => {
        const n = matrix.length;
        const tasks: TaskSpec[] = matrix.map((row, i) => ({
          id: `t${i}`,
          agent: "x",
          depends_on: row.slice(0, i).flatMap((edge, j) => (edge ? [`t${j}`] : [])),
        }));
        const done = new Set<string>();
        const startedOnce = new Set<string>();
        let running = 0;
        let maxRunning = 0;
        let violated = "";
        const result = await runDag(
          { id: "p", tasks },
          {
            concurrency,
            execute: async (task, _input, ctx) => {
              if (startedOnce.has(task.id)) violated ||= `${task.id} ran twice`;
              startedOnce.add(task.id);
              for (const d of task.depends_on ?? []) if (!done.has(d)) violated ||= `${task.id} before ${d}`;
              running++;
              maxRunning = Math.max(maxRunning, running);
              for (let k = 0; k < yields[Number(task.id.slice(1))]!; k++)
                await new Promise((r) => setImmediate(r));
              running--;
              if (ctx.signal.aborted) throw ctx.signal.reason;
              if (failing !== undefined && task.id === `t${failing}`) throw new Error("planned failure");
              done.add(task.id);
              return task.depends_on!.length as Json;
            },
          },
        );
        if (violated) throw new Error(violated);
        if (maxRunning > concurrency)
          throw new Error(`ran ${maxRunning} at once with concurrency ${concurrency}`);
        if (failing === undefined) {
          return result.status === "completed" && done.size === n && result.skipped.length === 0;
        }
        // Nothing downstream of the failure ever started.
        const dag = buildDag({ id: "p", tasks });
        for (const t of tasks) {
          if (dag.ancestors.get(t.id)!.has(`t${failing}`) && startedOnce.has(t.id))
            throw new Error(`${t.id} started`);
        }
        return result.status === "failed" && result.failedTask === `t${failing}`;
      }),
      { seed: 7, numRuns: 150 },
    );
  });
});
