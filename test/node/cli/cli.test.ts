/**
 * The `ainur` CLI: help, --json, usage errors and exit codes without a chain; then the operator,
 * DAO and auditor commands against a real `hardhat node` with every contract deployed.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../../node/src/cli/cli.ts";
import { COMMANDS } from "../../../node/src/cli/commands/index.ts";
import { deployAll, startHardhatNode } from "../../../node/src/devnet/evm-devchain.ts";
import type { Devchain } from "../../../node/src/devnet/evm-devchain.ts";
import { EvmChain, devAccountKey } from "../../../node/src/chain/evm/index.ts";
import { LineageService } from "../../../node/src/lineage/lineage.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => (out += t + "\n"), err: (t) => (err += t + "\n") });
  return { code, out, err };
}

async function json<T = Record<string, unknown>>(...argv: string[]): Promise<{ code: number; body: T }> {
  const r = await cli(...argv, "--json");
  return { code: r.code, body: JSON.parse(r.out) as T };
}

describe("cli: ainur", function () {
  this.timeout(120_000);
  const empty = mkdtempSync(path.join(os.tmpdir(), "ainur-cli-empty-"));
  after(() => rmSync(empty, { recursive: true, force: true }));

  it("lists every command the issue names, each with --help", async () => {
    const { code, out } = await cli("--help");
    expect(code).to.equal(0);
    for (const c of [
      "devnet",
      "node start",
      "agent register",
      "agent stake",
      "agent unbond",
      "agent status",
      "task post",
      "task status",
      "task result",
      "bid strategy",
      "lineage prove",
      "audit verify",
      "gov propose",
      "gov vote",
      "gov queue",
      "gov execute",
      "credits balance",
    ]) {
      expect(out).to.contain(`  ${c}`);
    }
    for (const c of COMMANDS) {
      const help = await cli(...c.path, "--help");
      expect(help.code, c.path.join(" ")).to.equal(0);
      expect(help.out).to.contain(`ainur ${c.path.join(" ")}`);
      expect(help.out).to.contain("--json");
    }
  });

  it("exits 2 on usage errors, with the reason, and as JSON with --json", async () => {
    const unknown = await cli("frobnicate");
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.contain('Unknown command "frobnicate"');
    const flag = await cli("bid", "strategy", "--bogus");
    expect(flag.code).to.equal(2);
    expect(flag.err).to.contain("--bogus");
    expect(flag.err).to.contain("Options:");
    const missing = await json("node", "start");
    expect(missing.code).to.equal(2);
    expect(missing.body).to.deep.include({ ok: false });
    expect((missing.body.error as { name: string }).name).to.equal("UsageError");
    expect((await cli("bid", "strategy", "--name", "nope")).code).to.equal(2);
    expect((await cli("gov", "vote", "not-a-number", "--data-dir", empty)).code).to.equal(2);
  });

  it("exits 3 when the environment is missing: no chain, a bad node config", async () => {
    const noChain = await cli("agent", "status", "--data-dir", empty);
    expect(noChain.code).to.equal(3);
    expect(noChain.err).to.contain("start the devnet");
    const file = path.join(empty, "bad.json");
    writeFileSync(file, JSON.stringify({ role: "agent", name: "x", dataDir: "d" }));
    const bad = await cli("node", "start", "--config", file);
    expect(bad.code).to.equal(3);
    expect(bad.err).to.contain("is not valid");
    const noFile = await cli("audit", "verify", path.join(empty, "missing.json"), "--local");
    expect(noFile.code).to.equal(3);
  });

  it("bid strategy: floor bids cost, load-aware scales with the queue, over-budget bids nothing", async () => {
    const { code, body } = await json<{ bids: { strategy: string; bid: string | null }[] }>(
      "bid",
      "strategy",
      "--floor",
      "2",
      "--queue",
      "2",
      "--budget",
      "2.5",
    );
    expect(code).to.equal(0);
    const bid = Object.fromEntries(body.bids.map((b) => [b.strategy, b.bid]));
    expect(bid).to.deep.equal({ floor: "2.0", "load-aware": null, premium: null, undercut: "1.7" });
  });

  it("audit verify --local: a malformed file is INVALID with the reason, exit 1", async () => {
    const file = path.join(empty, "junk.json");
    writeFileSync(file, JSON.stringify({ format: "something-else" }));
    const r = await json<{ verdict: { valid: boolean; reasons: string[] } }>(
      "audit",
      "verify",
      file,
      "--local",
    );
    expect(r.code).to.equal(1);
    expect(r.body.verdict.valid).to.equal(false);
    expect(r.body.verdict.reasons[0]).to.contain("malformed proof file");
  });

  describe("against a real chain", function () {
    let chain: Devchain;
    let dir: string;
    let flags: string[];
    let deployer: EvmChain;

    before(async function () {
      this.timeout(180_000);
      dir = mkdtempSync(path.join(os.tmpdir(), "ainur-cli-chain-"));
      chain = await startHardhatNode(root);
      const file = path.join(dir, "deployments.json");
      await deployAll(chain.url, devAccountKey(0), [], file, () => {});
      flags = ["--rpc", chain.url, "--deployments", file, "--key", devAccountKey(0)];
      deployer = await EvmChain.connect({
        rpcUrl: chain.url,
        deploymentsFile: file,
        privateKey: devAccountKey(0),
      });
    });

    after(async () => {
      deployer?.close();
      await chain?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
    });

    it("agent register, stake, status, unbond; credits balance", async () => {
      const reg = await json<{ did: string; zones: string[] }>(
        "agent",
        "register",
        "--capabilities",
        "text.uppercase",
        "--zones",
        "eu",
        ...flags,
      );
      expect(reg.code).to.equal(0);
      expect(reg.body.did).to.match(/^did:ainur:31337:\d+$/);
      expect(reg.body.zones).to.deep.equal(["eu"]);
      const stake = await json<{ bonded: string; eligible: boolean }>("agent", "stake", "150", ...flags);
      expect(stake.body).to.deep.include({ bonded: "150.0", eligible: true });
      const status = await json<{ dids: string[]; bonded: string; completed: number }>(
        "agent",
        "status",
        ...flags,
      );
      expect(status.body.dids).to.deep.equal([reg.body.did]);
      expect(status.body.bonded).to.equal("150.0");
      const unbond = await json<{ bonded: string; unbonding: string }>("agent", "unbond", "10", ...flags);
      expect(unbond.body).to.deep.include({ bonded: "140.0", unbonding: "10.0" });
      expect((await cli("agent", "stake", "lots", ...flags)).code).to.equal(2);
      const credits = await json<{ balance: string }>("credits", "balance", ...flags);
      expect(credits.body.balance).to.equal("0.0");
    });

    it("a reverted transaction exits 1 with the contract's custom error", async () => {
      const r = await cli("agent", "unbond", "100000", ...flags);
      expect(r.code).to.equal(1);
      expect(r.err).to.contain("ReputationStakingInsufficientStake");
    });

    it("gov propose, vote, queue, execute changes a parameter through the timelock", async () => {
      const p = await json<{ proposalId: string; state: string }>(
        "gov",
        "propose",
        "--set",
        "minimumStake=120",
        ...flags,
      );
      expect(p.code).to.equal(0);
      expect(p.body.state).to.equal("Pending");
      await deployer.mine(2);
      expect((await json<{ state: string }>("gov", "vote", p.body.proposalId, ...flags)).body.state).to.equal(
        "Active",
      );
      await deployer.mine(11);
      const early = await cli("gov", "execute", p.body.proposalId, ...flags);
      expect(early.code).to.equal(1);
      const q = await json<{ state: string }>("gov", "queue", p.body.proposalId, ...flags);
      expect(q.body, JSON.stringify(q.body)).to.deep.include({ ok: true, state: "Queued" });
      await deployer.increaseTime(3601);
      const x = await json<{ state: string }>("gov", "execute", p.body.proposalId, ...flags);
      expect(x.body.state).to.equal("Executed");
      expect(await deployer.call<bigint>("ReputationStaking", "minimumStake")).to.equal(120n * 10n ** 18n);
      const unknown = await cli("gov", "queue", "12345", ...flags);
      expect(unknown.code).to.equal(1);
      expect(unknown.err).to.contain("No proposal 12345");
      expect((await cli("gov", "propose", "--set", "colour=blue", ...flags)).code).to.equal(1);
    });

    it("lineage prove writes a proof file; audit verify says VALID against the anchored root, INVALID when tampered", async () => {
      // A lineage store with one anchored record (the deployer is staked above, so it may anchor).
      const lineageDir = path.join(dir, "node");
      const lineage = new LineageService(
        {
          anchor: async (r, n) => {
            const receipt = await deployer.send("LineageRegistry", "anchorRoot", r, n);
            return { blockNumber: receipt.blockNumber, transactionHash: receipt.hash };
          },
        },
        { database: path.join(lineageDir, "lineage.db"), anchorEvery: 1_000, anchorAfterMs: 3_600_000 },
      );
      await lineage.start();
      lineage.commitExecution({
        taskId: "audit-demo",
        agentDid: "did:ainur:31337:1",
        inputs: ["bagaaieraa"],
        output: "bagaaierab",
        completedAt: 1_800_000_000,
      });
      const anchor = await lineage.anchorNow();
      await lineage.stop();

      const proofFile = path.join(dir, "proof.json");
      const prove = await json<{ leaf: number; root: string }>(
        "lineage",
        "prove",
        "0",
        "--lineage-dir",
        lineageDir,
        "--out",
        proofFile,
      );
      expect(prove.code).to.equal(0);
      expect(BigInt(prove.body.root)).to.equal(anchor!.root);

      const ok = await cli("audit", "verify", proofFile, ...flags);
      expect(ok.code).to.equal(0);
      expect(ok.out).to.contain("verdict: VALID");
      expect(ok.out).to.contain(`anchored: block ${anchor!.receipt.blockNumber}`);
      expect(ok.out).to.contain("did:ainur:31337:1");
      expect(ok.out).to.contain("audit-demo");

      // Another agent's DID hash: the proof no longer matches its public inputs.
      const file = JSON.parse(readFileSync(proofFile, "utf8")) as {
        records: { agentDidHash: string; agentDid?: string }[];
        root: string;
      };
      const forged = structuredClone(file);
      forged.records[0]!.agentDidHash = "0x" + "11".repeat(32);
      delete forged.records[0]!.agentDid;
      writeFileSync(path.join(dir, "forged.json"), JSON.stringify(forged));
      const bad = await cli("audit", "verify", path.join(dir, "forged.json"), ...flags);
      expect(bad.code).to.equal(1);
      expect(bad.out).to.contain("verdict: INVALID");
      expect(bad.out).to.contain("does not verify");

      // A root that was never anchored.
      const other = structuredClone(file);
      other.root = "0x" + "22".repeat(32);
      writeFileSync(path.join(dir, "unanchored.json"), JSON.stringify(other));
      const never = await cli("audit", "verify", path.join(dir, "unanchored.json"), ...flags);
      expect(never.code).to.equal(1);
      expect(never.out).to.contain("was never anchored");
    });
  });
});
