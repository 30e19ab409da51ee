/**
 * `npm start -- --once`, exactly as CI and the README run it: a real `hardhat node`, the contracts,
 * 5 agent node processes, the requester, the whole scenario; the process must exit 0 and its
 * summary must show every step passed. Then the same again on the same data directory: the chain
 * is rebuilt from its journal and the steps already done are skipped. Takes 2–4 minutes on a
 * 2-core machine.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DevnetSummary } from "../../node/src/devnet/index.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("e2e: npm start -- --once", function () {
  this.timeout(360_000);
  let dataDir: string;

  before(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "ainur-devnet-"));
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}.prev`, { recursive: true, force: true });
  });

  /** `npm start -- --once --data-dir <dataDir>`: its exit code and output. */
  const start = async (): Promise<{ code: number | null; output: string }> => {
    let output = "";
    const child = spawn(
      process.execPath,
      [path.join(root, "scripts/start.ts"), "--once", "--data-dir", dataDir],
      {
        cwd: root,
        env: { ...process.env, HARDHAT_DISABLE_TELEMETRY: "true" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    if (code !== 0) console.log(output.slice(-6000));
    return { code, output };
  };

  it("runs the whole scenario and exits 0 with every step green", async () => {
    const { code, output } = await start();
    expect(code).to.equal(0);
    expect(output).to.contain("ALL STEPS PASSED");

    const summary = JSON.parse(readFileSync(path.join(dataDir, "summary.json"), "utf8")) as DevnetSummary;
    expect(summary.ok).to.equal(true);
    expect(summary.steps.every((s) => s.ok)).to.equal(true);
    const names = summary.steps.map((s) => s.name).join("\n");
    for (const step of [
      "deploy",
      "agent node processes",
      "task stream",
      "DAG",
      "slash and insurance",
      "governance",
      "reputation",
    ]) {
      expect(names).to.contain(step);
    }
    // 6 stream tasks + 4 DAG tasks completed; the injected failure did not.
    expect(summary.tasksCompleted).to.equal(10);
    expect(summary.tasks.filter((t) => t.status === "failed").map((t) => t.taskId)).to.deep.equal([
      "t7-echo-fails",
    ]);
    expect(summary.proofsVerified).to.equal(10);
    // Second price: nobody is paid less than they bid, and never more than the budget (5 AINUR).
    for (const t of summary.tasks.filter((x) => x.status === "completed")) {
      expect(Number(t.paid)).to.be.at.least(Number(t.winningBid));
      expect(Number(t.paid)).to.be.at.most(5);
    }
    expect(BigInt(summary.gasUsed) > 0n).to.equal(true);
    expect(summary.seconds).to.be.below(300);
  });

  it("resumes on a restart with the same data directory: the chain replayed, the steps done skipped", async () => {
    const { code, output } = await start();
    expect(code).to.equal(0);
    expect(output).to.contain("ALL STEPS PASSED");
    expect(output).not.to.contain("cannot resume the chain");
    const summary = JSON.parse(readFileSync(path.join(dataDir, "summary.json"), "utf8")) as DevnetSummary;
    expect(summary.ok).to.equal(true);
    // The whole first run's chain, replayed: deployment, 11 tasks, slash, governance.
    expect(summary.replayed!.blocks).to.be.greaterThan(100);
    expect(summary.replayed!.transactions).to.be.greaterThan(100);
    expect(summary.resumed).to.include.members(["deploy", "task stream", "injected failure", "governance"]);
    expect(summary.tasks.map((t) => t.taskId)).not.to.include("t1-uppercase");
  });
});
