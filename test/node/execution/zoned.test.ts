import { expect } from "chai";
import { createHash } from "node:crypto";
import { AdapterRegistry } from "../../../node/src/execution/adapter-registry.ts";
import { builtinAgents } from "../../../node/src/execution/adapters/builtin.ts";
import { sealInput, UnsealedInputError, ZonedAdapter } from "../../../node/src/execution/adapters/zoned.ts";
import { runDag } from "../../../node/src/execution/scheduler.ts";
import { ZoneUnsealRefusedError, zoneKey } from "../../../node/src/routing/envelope.ts";

const seed = (z: string): Uint8Array => createHash("sha256").update(`zoned-test-${z}`).digest();

describe("execution: agents inside jurisdiction zones", () => {
  const eu = zoneKey("eu", seed("eu"));
  const us = zoneKey("us", seed("us"));
  const directory = { eu: eu.publicKey, us: us.publicKey };
  const upper = builtinAgents().find((a) => a.name === "builtin:uppercase")!;
  const input = sealInput({ text: "patient notes" }, ["eu"], directory);

  it("runs a sealed input inside its zone; the scheduler only ever sees the envelope", async () => {
    const seen: string[] = [];
    const result = await runDag(
      { id: "z", tasks: [{ id: "t", agent: "builtin:uppercase", input }] },
      {
        execute: new AdapterRegistry([new ZonedAdapter(upper, eu)]).executor(),
        onEvent: (e) => seen.push(JSON.stringify(e)),
      },
    );
    expect(result.status).to.equal("completed");
    expect(result.outputs.get("t")).to.deep.equal({ text: "PATIENT NOTES" });
    expect(JSON.stringify(input)).to.not.include("patient");
    expect(seen.join("\n")).to.not.include("patient notes"); // events carry the envelope, not the input
  });

  it("refuses to run it outside its zone, naming both zones", async () => {
    const result = await runDag(
      { id: "z", tasks: [{ id: "t", agent: "builtin:uppercase", input }] },
      { execute: new AdapterRegistry([new ZonedAdapter(upper, us)]).executor() },
    );
    expect(result.status).to.equal("failed");
    expect(result.error).to.be.instanceOf(ZoneUnsealRefusedError);
    expect(result.error!.message).to.match(/zone "us".*only be opened in "eu"/);
  });

  it("can insist on sealed inputs", async () => {
    const strict = new ZonedAdapter(upper, eu, { requireSealed: true });
    const err = await strict
      .invoke({
        taskId: "t",
        input: { text: "clear" },
        idempotencyKey: "k",
        attempt: 0,
        signal: new AbortController().signal,
      })
      .catch((e: Error) => e);
    expect(err).to.be.instanceOf(UnsealedInputError);
  });
});
