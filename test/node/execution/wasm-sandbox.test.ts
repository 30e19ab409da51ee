import { expect } from "chai";
import {
  I32,
  RUN_TYPE,
  buildWasm,
  inspectWasm,
  sleb,
  uppercaseWasm,
} from "../../../node/src/execution/adapters/wasm-binary.ts";
import {
  SandboxImportRefusedError,
  SandboxMemoryLimitError,
  SandboxTimeoutError,
  WasmAgentError,
  WasmSandboxAdapter,
} from "../../../node/src/execution/adapters/wasm-sandbox.ts";
import type { Json } from "../../../node/src/storage/event-log.ts";

const call = (agent: WasmSandboxAdapter, input: Json, signal = new AbortController().signal): Promise<Json> =>
  agent.invoke({ taskId: "t", input, idempotencyKey: "wf/t", attempt: 0, signal });

/** run() that never returns: `loop br 0 end`. */
const spin = (): Uint8Array =>
  buildWasm({
    importMemory: { min: 1, max: undefined },
    types: [RUN_TYPE],
    functions: [{ type: 0, body: [0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x00], export: "run" }],
  });

/** run() returns memory.grow(pages): -1 when the grow would pass the maximum. */
const grow = (pages: number, memory?: { min: number; max: number | undefined }): Uint8Array =>
  buildWasm({
    ...(memory ? { memory } : { importMemory: { min: 1, max: undefined } }),
    types: [RUN_TYPE],
    functions: [{ type: 0, body: [0x41, ...sleb(pages), 0x40, 0x00], export: "run" }],
  });

describe("execution: WASM sandbox", function () {
  it("runs a hand-built module: input JSON in, output JSON out", async () => {
    const agent = new WasmSandboxAdapter({ name: "wasm:uppercase", module: uppercaseWasm() });
    expect(await call(agent, { text: "hello, sandbox" })).to.deep.equal({ TEXT: "HELLO, SANDBOX" });
    expect(await call(agent, "abc")).to.equal("ABC");
  });

  it("refuses modules that ask for files, sockets or any host function, before running them", () => {
    const hostile = buildWasm({
      functionImports: [
        { module: "wasi_snapshot_preview1", name: "path_open", type: 1 },
        { module: "wasi_snapshot_preview1", name: "sock_send", type: 1 },
        { module: "env", name: "fetch", type: 1 },
      ],
      importMemory: { min: 1, max: undefined },
      types: [RUN_TYPE, { params: [I32], results: [I32] }],
      functions: [{ type: 0, body: [0x41, 0x00], export: "run" }],
    });
    expect(inspectWasm(hostile).imports.map((i) => i.name)).to.deep.equal([
      "path_open",
      "sock_send",
      "fetch",
      "memory",
    ]);
    let error: unknown;
    try {
      new WasmSandboxAdapter({ name: "wasm:hostile", module: hostile });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(SandboxImportRefusedError);
    expect((error as SandboxImportRefusedError).imports).to.deep.equal([
      "wasi_snapshot_preview1.path_open (function)",
      "wasi_snapshot_preview1.sock_send (function)",
      "env.fetch (function)",
    ]);
    expect((error as Error).message).to.match(/provides no I\/O, only env\.memory/);
  });

  it("stops a runaway loop at its time limit, and keeps working afterwards", async function () {
    const agent = new WasmSandboxAdapter({ name: "wasm:spin", module: spin(), timeoutMs: 300 });
    const started = performance.now();
    const err = await call(agent, null).catch((e: Error) => e);
    const took = performance.now() - started;
    expect(err).to.be.instanceOf(SandboxTimeoutError);
    expect((err as SandboxTimeoutError).timeoutMs).to.equal(300);
    expect(took).to.be.within(290, 3_000);
    const ok = new WasmSandboxAdapter({ name: "wasm:uppercase", module: uppercaseWasm(), timeoutMs: 300 });
    expect(await call(ok, "still fine")).to.equal("STILL FINE");
  });

  it("stops a run when the task is cancelled", async () => {
    const agent = new WasmSandboxAdapter({ name: "wasm:spin", module: spin(), timeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = call(agent, null, controller.signal).catch((e: Error) => e);
    setImmediate(() => controller.abort(new Error("cancelled by the requester")));
    expect(((await pending) as Error).message).to.equal("cancelled by the requester");
  });

  it("enforces the memory limit: growth past it fails, oversized memories are refused", async () => {
    const limited = new WasmSandboxAdapter({ name: "wasm:grow", module: grow(100), maxMemoryPages: 16 });
    const err = await call(limited, null).catch((e: Error) => e);
    expect(err).to.be.instanceOf(WasmAgentError);
    expect((err as WasmAgentError).code).to.equal(-1); // memory.grow refused
    const within = new WasmSandboxAdapter({ name: "wasm:grow", module: grow(2), maxMemoryPages: 16 });
    // A grow within the limit succeeds: run returns the old size in pages (≥ 1), read as that many output bytes.
    const grown = (await call(within, null)) as { text: string };
    expect(grown.text.length).to.be.greaterThan(0);

    expect(() => new WasmSandboxAdapter({ name: "wasm:own", module: grow(1, { min: 1, max: undefined }) }))
      .to.throw(SandboxMemoryLimitError)
      .with.property("message")
      .that.matches(/defines a memory with no maximum; the sandbox allows at most 16 pages/);
    expect(
      () =>
        new WasmSandboxAdapter({
          name: "wasm:own",
          module: grow(1, { min: 1, max: 64 }),
          maxMemoryPages: 16,
        }),
    ).to.throw(SandboxMemoryLimitError, /up to 64 pages/);
    const own = new WasmSandboxAdapter({
      name: "wasm:own",
      module: grow(100, { min: 1, max: 4 }),
      maxMemoryPages: 16,
    });
    expect(((await call(own, null).catch((e: Error) => e)) as WasmAgentError).code).to.equal(-1);
  });
});
