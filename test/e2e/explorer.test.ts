/**
 * The explorer in headless Chromium (Debian's /usr/bin/chromium through playwright-core; nothing is
 * downloaded). Starts the devnet (without --once, so it keeps running after its summary), opens the
 * explorer, clicks "verify on-chain" on a lineage record, checks the verdict, saves a screenshot to
 * test-results/explorer.png, and then stops the devnet with SIGINT (a clean Ctrl-C shutdown).
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { BrowserContext } from "playwright-core";
import type { DevnetInfo } from "../../node/src/cli/context.ts";
import { runCli } from "../../node/src/cli/cli.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = "/usr/bin/chromium";

describe("e2e: the explorer in headless Chromium", function () {
  this.timeout(420_000);
  let dataDir: string;
  let profile: string;
  let devnet: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let output = "";

  before(function () {
    if (!existsSync(CHROMIUM)) {
      console.log(
        `    skipped: ${CHROMIUM} is absent (apt-get install chromium); the browser is never downloaded`,
      );
      this.skip();
    }
    dataDir = mkdtempSync(path.join(os.tmpdir(), "ainur-explorer-"));
    profile = mkdtempSync(path.join(os.tmpdir(), "ainur-chromium-"));
  });

  after(async () => {
    await context?.close();
    if (devnet && devnet.exitCode === null) {
      devnet.kill("SIGKILL");
      await new Promise((r) => devnet!.once("exit", r));
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (profile) rmSync(profile, { recursive: true, force: true });
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  });

  // A fresh --user-data-dir (the profile directory) per run; launchPersistentContext passes it.
  it("shows agents, tasks, lineage and governance, and verifies a record on-chain", async () => {
    devnet = spawn(process.execPath, [path.join(root, "scripts/start.ts"), "--data-dir", dataDir], {
      cwd: root,
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    devnet.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      devnet!.stdout!.on("data", (d: Buffer) => {
        output += d.toString();
        if (output.includes("ALL STEPS PASSED")) resolve();
        if (output.includes("FAILED:")) reject(new Error(`the devnet failed:\n${output.slice(-4000)}`));
      });
      devnet!.once("exit", (code) =>
        reject(new Error(`the devnet exited (${code}):\n${output.slice(-4000)}`)),
      );
    });
    const info = JSON.parse(readFileSync(path.join(dataDir, "devnet.json"), "utf8")) as DevnetInfo;

    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1100 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(info.explorerUrl!);
    // Agents with stake and reputation, tasks with their auctions, governance.
    await page.waitForSelector("#agents tbody tr:nth-child(5)");
    expect(await page.locator("#agents tbody tr").count()).to.equal(5);
    await page.waitForSelector("#tasks tbody tr:nth-child(11)");
    expect(await page.locator("#tasks tbody").innerText()).to.contain("t7-echo-fails");
    expect(await page.locator("#parameters").innerText()).to.contain("150.0 AINUR");
    expect(await page.locator("#proposals tbody").innerText()).to.contain("Executed");

    // A lineage record, verified on-chain from the page.
    const button = page.locator("button.verify").first();
    const taskId = await button.getAttribute("data-task");
    await button.click();
    await page.locator("#verdict", { hasText: /verdict: (VALID|INVALID)/ }).waitFor({ timeout: 30_000 });
    const verdict = await page.locator("#verdict").innerText();
    expect(verdict).to.contain("verdict: VALID (on-chain)");
    expect(verdict).to.contain(`task:    ${taskId}`);
    expect(verdict).to.match(/anchored in block \d+/);
    expect(verdict).to.match(/agent: {3}did:ainur:31337:\d+/);

    mkdirSync(path.join(root, "test-results"), { recursive: true });
    await page.screenshot({ path: path.join(root, "test-results/explorer.png"), fullPage: true });

    // The CLI against the running devnet: a requester posts a task through the node's API, and an
    // auditor proves a record from the node's lineage store and verifies it on-chain.
    const io = {
      out: (t: string) => void (cliOut += t + "\n"),
      err: (t: string) => void (cliOut += t + "\n"),
    };
    let cliOut = "";
    const dd = ["--data-dir", dataDir];
    expect(
      await runCli(
        [
          "task",
          "post",
          "--capability",
          "text.uppercase",
          "--input",
          '{"text":"from the cli"}',
          "--id",
          "cli-1",
          ...dd,
        ],
        io,
      ),
    ).to.equal(0);
    let result = 1;
    for (let i = 0; i < 120 && result !== 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      result = await runCli(["task", "result", "cli-1", "--json", ...dd], { out: () => {}, err: () => {} });
    }
    expect(result, cliOut).to.equal(0);
    cliOut = "";
    expect(await runCli(["task", "result", "cli-1", ...dd], io)).to.equal(0);
    expect(cliOut).to.contain('"FROM THE CLI"');
    const proofFile = path.join(dataDir, "proof-0.json");
    expect(await runCli(["lineage", "prove", "0", "--out", proofFile, ...dd], io), cliOut).to.equal(0);
    cliOut = "";
    expect(await runCli(["audit", "verify", proofFile, ...dd], io), cliOut).to.equal(0);
    expect(cliOut).to.contain("verdict: VALID");
    expect(cliOut).to.match(/anchored: block \d+/);

    // Ctrl-C stops everything and the process exits by itself.
    const exited = new Promise<number | null>((r) => devnet!.once("exit", r));
    devnet.kill("SIGINT");
    expect(await exited).to.be.oneOf([0, 130]);
  });
});
