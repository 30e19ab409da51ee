/**
 * node/src/lineage/: the service (records from executions, anchoring on a count and on a time
 * limit, restart, failures), proving in a worker thread without blocking the event loop, and proof
 * files verified locally, with every tampering rejected for a stated reason.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  BATCH_SIZE,
  BATCH_WINDOW,
  FIELD,
  LineageFormatError,
  RecordNotFoundError,
  commitRecord,
  createLineage,
  formatVerdict,
  hashToField,
  inputSetHash,
  proveRecord,
  recordFromExecution,
  recordFromJson,
  recordToJson,
  toHex32,
  verifyProofFile,
} from "../../../node/src/lineage/index.ts";
import type {
  Anchor,
  AnchorFn,
  Execution,
  LineageService,
  ProofFile,
} from "../../../node/src/lineage/index.ts";
import { artefacts, merklePath, poseidon, hasher, terminateCurve } from "../../circuits/fixtures.ts";

const T0 = 1_763_800_000;

function execution(i: number, agent = "did:ainur:evm:0xa11ce"): Execution {
  return {
    taskId: `task-${i}`,
    agentDid: agent,
    inputs: [`bafyinput${i}`, "bafyshared"],
    output: `bafyoutput${i}`,
    completedAt: T0 + i,
  };
}

/** An anchor function that records its calls (the chain is tested in test/contracts/). */
function recordingAnchor(): { fn: AnchorFn; calls: { root: bigint; leafCount: number }[] } {
  const calls: { root: bigint; leafCount: number }[] = [];
  return {
    calls,
    fn: async (root, leafCount) => {
      calls.push({ root, leafCount });
      return { blockNumber: calls.length, transactionHash: toHex32(BigInt(calls.length)) };
    },
  };
}

function once<T>(service: LineageService, event: string): Promise<T> {
  return new Promise((resolve) =>
    service.addEventListener(event, (e) => resolve((e as CustomEvent<T>).detail), { once: true }),
  );
}

describe("lineage/", function () {
  let dir: string;
  const started: LineageService[] = [];

  before(function () {
    artefacts("lineage20"); // compiles the wasm on a clean clone
    dir = mkdtempSync(path.join(tmpdir(), "ainur-lineage-"));
  });

  afterEach(async function () {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });

  after(async function () {
    rmSync(dir, { recursive: true, force: true });
    await terminateCurve();
  });

  async function start(
    name: string,
    anchor: AnchorFn,
    init: { anchorEvery?: number; anchorAfterMs?: number } = {},
  ) {
    const service = createLineage(
      { anchor, now: () => T0 * 1000 },
      { database: path.join(dir, `${name}.sqlite`), ...init },
    );
    await service.start();
    started.push(service);
    return service;
  }

  describe("records", function () {
    it("builds a record from an execution: hashes of strings, order-free input set, 64-bit time", async function () {
      const r = recordFromExecution({ ...execution(1), inputs: ["b", "a", "b"] });
      expect(r.taskId).to.equal(hashToField("task-1"));
      expect(r.agentDidHash).to.equal(hashToField("did:ainur:evm:0xa11ce"));
      expect(r.inputSetHash).to.equal(inputSetHash(["a", "b"]));
      expect(r.outputHash).to.equal(hashToField("bafyoutput1"));
      expect(r.parentCommitment).to.equal(0n);
      expect(r.time).to.equal(BigInt(T0 + 1));
      expect(hashToField("x") < FIELD).to.equal(true);
      expect(recordFromJson(recordToJson(r))).to.deep.equal(r);
    });

    it("matches the circuit's commitment (Poseidon over the six fields)", async function () {
      const p = await poseidon();
      const r = recordFromExecution(execution(2));
      const h = hasher(p);
      expect(commitRecord(p, r)).to.equal(
        h([r.taskId, r.agentDidHash, r.inputSetHash, r.outputHash, r.parentCommitment, r.time]),
      );
    });

    it("rejects non-canonical fields: a value ≥ p, a time ≥ 2^64, empty ids", function () {
      const r = recordFromExecution(execution(3));
      expect(() =>
        recordFromJson({ ...recordToJson(r), outputHash: toHex32(r.outputHash + FIELD) }),
      ).to.throw(/outside/);
      expect(() => recordFromExecution({ ...execution(3), completedAt: 2n ** 64n })).to.throw(
        /time = 18446744073709551616/,
      );
      expect(() => recordFromExecution({ ...execution(3), agentDid: "" })).to.throw(
        LineageFormatError,
        /agentDid/,
      );
    });
  });

  describe("anchoring", function () {
    it("anchors when the count limit is reached, with the root of exactly those records", async function () {
      const anchor = recordingAnchor();
      const service = await start("count", anchor.fn, { anchorEvery: 3, anchorAfterMs: 3_600_000 });
      const anchored = once<Anchor>(service, "lineage:anchored");
      const leaves = [1, 2, 3].map((i) => service.commitExecution(execution(i)).commitment);
      const a = await anchored;
      expect(anchor.calls).to.have.length(1);
      expect(a.leafCount).to.equal(3);
      expect(a.root).to.equal(merklePath(hasher(await poseidon()), leaves, 0, 20).root);
      expect(service.pending).to.equal(0);
    });

    it("anchors on the time limit when fewer records arrive", async function () {
      const anchor = recordingAnchor();
      const service = await start("timer", anchor.fn, { anchorEvery: 100, anchorAfterMs: 25 });
      const anchored = once<Anchor>(service, "lineage:anchored");
      service.commitExecution(execution(1));
      expect((await anchored).leafCount).to.equal(1);
    });

    it("reports a failed anchor, keeps the records pending and retries on the timer", async function () {
      let fail = true;
      const service = await start(
        "retry",
        async () => {
          if (fail) throw new Error("chain unreachable");
          return { blockNumber: 7 };
        },
        { anchorEvery: 1, anchorAfterMs: 25 },
      );
      const failed = once<{ error: Error }>(service, "lineage:anchor-failed");
      service.commitExecution(execution(1));
      expect((await failed).error.message).to.equal("chain unreachable");
      expect(service.pending).to.equal(1);
      fail = false;
      const anchored = await once<Anchor>(service, "lineage:anchored");
      expect(anchored.receipt.blockNumber).to.equal(7);
      expect(service.pending).to.equal(0);
    });

    it("keeps records and anchors across a restart", async function () {
      const anchor = recordingAnchor();
      const first = await start("restart", anchor.fn, { anchorEvery: 2, anchorAfterMs: 3_600_000 });
      const anchored = once<Anchor>(first, "lineage:anchored");
      first.commitExecution(execution(1));
      first.commitExecution(execution(2));
      await anchored;
      first.commitExecution(execution(3));
      const root = first.root();
      await first.stop();

      const second = await start("restart", anchor.fn, { anchorEvery: 2, anchorAfterMs: 3_600_000 });
      expect(second.size).to.equal(3);
      expect(second.root()).to.equal(root);
      expect(second.latestAnchor?.leafCount).to.equal(2);
      expect(second.pending).to.equal(1);
      expect(second.getRecord(2).context.taskId).to.equal("task-3");
      expect(() => second.commitExecution(execution(3))).to.throw(
        LineageFormatError,
        /already committed as leaf 2/,
      );
    });
  });

  describe("proving and proof files", function () {
    let service: LineageService;
    let file: ProofFile;

    before(async function () {
      const anchor = recordingAnchor();
      service = createLineage(
        { anchor: anchor.fn, now: () => T0 * 1000 },
        { database: path.join(dir, "prove.sqlite"), anchorEvery: 1000, anchorAfterMs: 3_600_000 },
      );
      await service.start();
      for (let i = 0; i < 5; i++)
        service.commitExecution(execution(i, i === 3 ? "did:ainur:evm:0xb0b" : undefined));
      await service.anchorNow();
      service.commitExecution(execution(5)); // after the anchor: not provable yet
    });

    after(async function () {
      await service.stop();
    });

    it("proves in a worker thread while the event loop keeps running", async function () {
      let ticks = 0;
      let longestGap = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
        ticks++;
      }, 5);
      try {
        file = await service.prove(3);
      } finally {
        clearInterval(timer);
      }
      expect(ticks, "the loop ran during proving").to.be.greaterThan(10);
      // In-process, snarkjs's fullProve blocks the loop for seconds at a time (witness, FFTs, MSMs).
      // The bound is loose so that a loaded 2-core CI machine does not make it flaky.
      expect(longestGap, "longest event-loop stall (ms)").to.be.lessThan(1000);
      expect(file.circuit).to.equal("lineage20");
      expect(file.records[0]).to.include({ agentDid: "did:ainur:evm:0xb0b", taskId: "task-3", leafIndex: 3 });
      expect(file.leafCount).to.equal(5);
    });

    it("proves requests that arrive together one after another, each one valid", async function () {
      const files = await Promise.all([0, 1, 2].map((i) => service.prove(i)));
      for (const [i, f] of files.entries()) {
        expect(f.records[0]!.leafIndex).to.equal(i);
        const verdict = await verifyProofFile(JSON.parse(JSON.stringify(f)));
        expect(verdict.reasons, `record ${i}`).to.deep.equal([]);
      }
    });

    it("verifies locally and reads well", async function () {
      const verdict = await verifyProofFile(JSON.parse(JSON.stringify(file)));
      expect(verdict.reasons).to.deep.equal([]);
      expect(verdict.valid).to.equal(true);
      expect(formatVerdict(verdict))
        .to.match(/VALID \(checked locally only\)/)
        .and.match(/did:ainur:evm:0xb0b/);
    });

    const tamperings: [string, (f: ProofFile) => void, RegExp][] = [
      ["the root", (f) => (f.root = toHex32(BigInt(f.root) + 1n)), /does not verify/],
      [
        "the output hash",
        (f) => (f.records[0]!.outputHash = toHex32(hashToField("bafyoutput1"))),
        /does not hash to the proven outputHash|does not verify/,
      ],
      [
        "the agent (proof reused under another DID)",
        (f) => {
          f.records[0]!.agentDid = "did:ainur:evm:0xa11ce";
          f.records[0]!.agentDidHash = toHex32(hashToField("did:ainur:evm:0xa11ce"));
        },
        /does not verify/,
      ],
      [
        "the disclosed DID only",
        (f) => (f.records[0]!.agentDid = "did:ainur:evm:0xeve"),
        /does not hash to the proven agentDidHash/,
      ],
      ["a proof point", (f) => (f.proof.pi_a[0] = f.proof.pi_c[0]!), /does not verify|could not be checked/],
      [
        "a public input to a non-canonical value (+p)",
        (f) => (f.root = toHex32(BigInt(f.root) + FIELD)),
        /not below the BN254 field size|32-byte/,
      ],
      ["the format", (f) => ((f as { version: number }).version = 2), /malformed proof file: version/],
    ];
    for (const [what, tamper, reason] of tamperings) {
      it(`rejects a file with a changed ${what}`, async function () {
        const copy = JSON.parse(JSON.stringify(file)) as ProofFile;
        tamper(copy);
        const verdict = await verifyProofFile(copy);
        expect(verdict.valid).to.equal(false);
        expect(verdict.reasons.join("; ")).to.match(reason);
        expect(formatVerdict(verdict)).to.match(/^verdict: INVALID/);
      });
    }

    it("refuses to prove a record that no anchored root covers yet, or one that does not exist", async function () {
      try {
        await service.prove(5);
        expect.fail("proved an unanchored record");
      } catch (error) {
        expect(error).to.be.instanceOf(RecordNotFoundError);
        expect((error as Error).message).to.match(/latest anchor covers 5 records/);
      }
      expect(() => service.getRecord(99)).to.throw(RecordNotFoundError, /leaf 99/);
    });

    it("refuses a batch whose records span two windows, or too many records", async function () {
      const wide = await start("windows", recordingAnchor().fn, {
        anchorEvery: 100_000,
        anchorAfterMs: 3_600_000,
      });
      for (let i = 0; i <= 2 ** BATCH_WINDOW; i++) wide.commitExecution(execution(i));
      await wide.anchorNow();
      try {
        await wide.proveBatch([0, 2 ** BATCH_WINDOW]);
        expect.fail("proved a batch across windows");
      } catch (error) {
        expect(error).to.be.instanceOf(LineageFormatError);
        expect((error as Error).message).to.match(/span 2 windows of 256 leaves|span 2 windows/);
      }
      try {
        await wide.proveBatch(Array.from({ length: BATCH_SIZE + 1 }, (_, i) => i));
        expect.fail("proved an oversized batch");
      } catch (error) {
        expect((error as Error).message).to.match(new RegExp(`a batch proves 1 to ${BATCH_SIZE} records`));
      }
    });

    it("proveRecord (the CLI's entry) proves from the store without anchoring", async function () {
      const second = await proveRecord({
        database: path.join(dir, "prove.sqlite"),
        record: toHex32(service.getRecord(1).commitment),
      });
      expect(second.records[0]!.taskId).to.equal("task-1");
      expect((await verifyProofFile(second)).valid).to.equal(true);
    });
  });
});
