/** `toolchain.compile_s`: a forced, from-scratch Hardhat build of every contract with the offline solc. */
import { spawnSync } from "node:child_process";
import { hardhatCli } from "../lib/tools.ts";
import type { BenchSuite } from "./types.ts";

const suite: BenchSuite = {
  name: "toolchain",
  ids: ["toolchain.compile_s"],
  async run() {
    const started = performance.now();
    const run = spawnSync(process.execPath, [hardhatCli, "build", "--force", "--quiet"], {
      encoding: "utf8",
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY: "true" },
    });
    if (run.status !== 0)
      throw new Error(`hardhat build --force failed (exit ${run.status}):\n${run.stderr}`);
    return [
      { id: "toolchain.compile_s", value: (performance.now() - started) / 1000, unit: "s", better: "lower" },
    ];
  },
};
export default suite;
