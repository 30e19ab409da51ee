/** Task inputs and outputs go into the real Helia block store; the log keeps their CIDs. */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createBlockStore } from "../../../node/src/storage/index.ts";
import type { BlockStore } from "../../../node/src/storage/index.ts";
import { SqliteEventLog } from "../../../node/src/storage/event-log.ts";
import { createExecution } from "../../../node/src/execution/index.ts";

describe("execution: inputs and outputs as Helia blocks", function () {
  let dir: string;
  let blocks: BlockStore;
  let log: SqliteEventLog;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ainur-artifacts-"));
    blocks = createBlockStore({
      directory: path.join(dir, "blocks"),
      transport: { seed: new Uint8Array(32).fill(3) },
    });
    await blocks.start();
    log = new SqliteEventLog({ path: path.join(dir, "node.sqlite") });
    log.start();
  });
  after(async () => {
    log?.stop();
    await blocks?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores every task's resolved input and output, and rebuilds their CIDs from the log", async () => {
    const runner = await createExecution({}, { log, artifacts: blocks });
    runner.submit({
      id: "blocks-wf",
      tasks: [
        { id: "a", agent: "builtin:uppercase", input: { text: "lineage" } },
        { id: "b", agent: "builtin:sha256", depends_on: ["a"], input: { of: { $ref: "a.output.text" } } },
      ],
    });
    const result = await runner.run("blocks-wf");
    expect(result.status).to.equal("completed");

    const state = runner.state("blocks-wf");
    expect([...state.artifacts.keys()].sort()).to.deep.equal(["a", "b"]);
    const b = state.artifacts.get("b")!;
    expect(await blocks.getJson(b.inputCid)).to.deep.equal({ of: "LINEAGE" });
    expect(await blocks.getJson(b.outputCid)).to.deep.equal(result.outputs.get("b"));
    // Content addressing: the same output gives the same CID.
    expect(await blocks.putJson(result.outputs.get("a"))).to.equal(state.artifacts.get("a")!.outputCid);
  });
});
