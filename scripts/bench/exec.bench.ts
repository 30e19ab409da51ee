/**
 * Execution benchmarks.
 *
 * - exec.dag_overhead_per_task_ms: wall time per task of `runDag` on a 2,000-task DAG (20 layers of
 *   100; every task depends on two of the layer before and reads their outputs through `$ref`),
 *   concurrency 16, with the built-in `echo` agent, which does no work: what is measured is the
 *   scheduler (readiness tracking, reference resolution, timeouts, abort signals, events).
 *   Median of 5 runs after a warm-up.
 * - exec.durable_overhead_per_task_ms / exec.durable_normal_overhead_per_task_ms: the same per task
 *   for the durable runner on a 500-task DAG, every event in the SQLite log (WAL, synchronous FULL
 *   and NORMAL): the price of surviving a crash.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BenchResult, BenchSuite } from "./types.ts";
import { median } from "./types.ts";
import { AdapterRegistry } from "../../node/src/execution/adapter-registry.ts";
import { builtinAgents } from "../../node/src/execution/adapters/builtin.ts";
import { DurableWorkflowRunner } from "../../node/src/execution/durable-runner.ts";
import { runDag } from "../../node/src/execution/scheduler.ts";
import type { WorkflowSpec } from "../../node/src/execution/dag.ts";
import { SqliteEventLog } from "../../node/src/storage/event-log.ts";

function layered(id: string, layers: number, width: number): WorkflowSpec {
  const tasks: WorkflowSpec["tasks"] = [];
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      const deps = l === 0 ? [] : [`t${l - 1}_${w}`, `t${l - 1}_${(w + 1) % width}`];
      tasks.push({
        id: `t${l}_${w}`,
        agent: "builtin:echo",
        depends_on: deps,
        input: l === 0 ? { n: w } : { a: { $ref: `${deps[0]}.output` }, layer: l },
      });
    }
  }
  return { id, tasks };
}

async function schedulerOverhead(): Promise<number> {
  const adapters = new AdapterRegistry(builtinAgents());
  const spec = layered("bench", 20, 100);
  const perTask: number[] = [];
  for (let run = 0; run < 6; run++) {
    const t = performance.now();
    const result = await runDag(spec, { execute: adapters.executor(), concurrency: 16 });
    const dt = performance.now() - t;
    if (result.status !== "completed")
      throw new Error(`bench DAG ${result.status}: ${result.error?.message}`);
    if (run > 0) perTask.push(dt / spec.tasks.length);
  }
  return median(perTask);
}

async function durableOverhead(synchronous: "FULL" | "NORMAL"): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ainur-exec-bench-"));
  try {
    const perTask: number[] = [];
    for (let run = 0; run < 3; run++) {
      const log = new SqliteEventLog({ path: path.join(dir, `log-${run}.sqlite`), synchronous });
      log.start();
      const runner = new DurableWorkflowRunner(
        { log, adapters: new AdapterRegistry(builtinAgents()) },
        { concurrency: 16 },
      );
      const spec = layered(`durable-${run}`, 10, 50);
      const t = performance.now();
      runner.submit(spec);
      const result = await runner.run(spec.id);
      const dt = performance.now() - t;
      log.stop();
      if (result.status !== "completed") throw new Error(`durable bench DAG ${result.status}`);
      perTask.push(dt / spec.tasks.length);
    }
    return median(perTask);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const suite: BenchSuite = {
  name: "exec",
  ids: [
    "exec.dag_overhead_per_task_ms",
    "exec.durable_overhead_per_task_ms",
    "exec.durable_normal_overhead_per_task_ms",
  ],
  async run(selected) {
    const out: BenchResult[] = [];
    if (selected("exec.dag_overhead_per_task_ms")) {
      out.push({
        id: "exec.dag_overhead_per_task_ms",
        value: await schedulerOverhead(),
        unit: "ms",
        better: "lower",
      });
    }
    if (selected("exec.durable_overhead_per_task_ms")) {
      out.push({
        id: "exec.durable_overhead_per_task_ms",
        value: await durableOverhead("FULL"),
        unit: "ms",
        better: "lower",
      });
    }
    if (selected("exec.durable_normal_overhead_per_task_ms")) {
      out.push({
        id: "exec.durable_normal_overhead_per_task_ms",
        value: await durableOverhead("NORMAL"),
        unit: "ms",
        better: "lower",
      });
    }
    return out;
  },
};

export default suite;
