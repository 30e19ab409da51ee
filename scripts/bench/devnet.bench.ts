/**
 * `devnet.*`: the whole devnet scenario (`npm start -- --once` in a temporary data directory: 5 agent
 * processes, 10 tasks + 1 injected failure, every proof verified on-chain), read from its summary.
 *
 * - `devnet.task_post_to_anchor_p50_ms`: from posting a task (escrow) to its lineage root anchored
 *   on-chain: auction, award, execution, result submission, commit and anchor. Proof generation
 *   comes after anchoring and is excluded. Median over the completed tasks.
 * - `devnet.tasks_per_min`: completed tasks per minute from the first post to the last acceptance,
 *   proofs and on-chain verification included, 2 tasks in flight.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchResult, BenchSuite } from "./types.ts";
import type { DevnetSummary } from "../../node/src/devnet/index.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const suite: BenchSuite = {
  name: "devnet",
  ids: ["devnet.task_post_to_anchor_p50_ms", "devnet.tasks_per_min"],
  async run() {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "ainur-bench-devnet-"));
    try {
      const run = spawnSync(
        process.execPath,
        [path.join(root, "scripts/start.ts"), "--once", "--data-dir", dataDir],
        {
          cwd: root,
          encoding: "utf8",
          env: { ...process.env, HARDHAT_DISABLE_TELEMETRY: "true" },
          maxBuffer: 64 << 20,
        },
      );
      const summary = JSON.parse(readFileSync(path.join(dataDir, "summary.json"), "utf8")) as DevnetSummary;
      if (run.status !== 0 || !summary.ok) {
        throw new Error(`the devnet scenario failed (exit ${run.status}):\n${run.stdout.slice(-3000)}`);
      }
      const results: BenchResult[] = [
        {
          id: "devnet.task_post_to_anchor_p50_ms",
          value: summary.postToAnchorP50Ms!,
          unit: "ms",
          better: "lower",
        },
        { id: "devnet.tasks_per_min", value: summary.tasksPerMinute!, unit: "tasks/min", better: "higher" },
      ];
      return results;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
export default suite;
