/**
 * A WASM sandbox agent. The module gets no ambient I/O: the only import it may declare is
 * `env.memory`, which the sandbox creates with a hard maximum; a module that imports anything else
 * (a WASI call, a host function for files or sockets) is refused before it runs, and nothing else
 * is in the import object. Memory is bounded by `maxMemoryPages` (64 KiB each): an imported memory
 * is created with that maximum, a memory the module defines must declare a maximum within it.
 * Time is bounded by running the module in a worker thread that is terminated at `timeoutMs`,
 * which stops even a loop that never returns.
 *
 * ABI: `run(inPtr, inLen, outPtr, outCap) -> outLen` (negative: an error code). The input is the
 * task input as JSON text (UTF-8) at offset 0; the output, from `outPtr`, is parsed as JSON when it
 * is JSON, else returned as `{ text }`.
 */
import { Worker } from "node:worker_threads";
import type { Json } from "../../storage/event-log.ts";
import { inspectWasm } from "./wasm-binary.ts";
import type { WasmImport } from "./wasm-binary.ts";
import type { AgentAdapter, AgentRequest } from "./types.ts";

export interface WasmSandboxInit {
  /** Adapter name used by tasks, e.g. `wasm:uppercase`. */
  name: string;
  module: Uint8Array;
  /** Memory limit in 64 KiB pages (default 16 = 1 MiB). */
  maxMemoryPages?: number;
  /** Wall-clock limit per call, ms (default 1,000). */
  timeoutMs?: number;
}

export class SandboxImportRefusedError extends Error {
  override name = "SandboxImportRefusedError";
  readonly agent: string;
  readonly imports: string[];
  constructor(agent: string, imports: WasmImport[]) {
    const list = imports.map((i) => `${i.module}.${i.name} (${i.kind})`);
    super(
      `WASM agent "${agent}" imports ${list.join(", ")}; the sandbox provides no I/O, only env.memory. ` +
        `Rebuild the module without those imports.`,
    );
    this.agent = agent;
    this.imports = list;
  }
}

export class SandboxMemoryLimitError extends Error {
  override name = "SandboxMemoryLimitError";
  readonly agent: string;
  readonly requestedPages: number | undefined;
  readonly limitPages: number;
  constructor(agent: string, requestedPages: number | undefined, limitPages: number, what: string) {
    super(
      `WASM agent "${agent}" ${what}; the sandbox allows at most ${limitPages} pages (${limitPages * 64} KiB).`,
    );
    this.agent = agent;
    this.requestedPages = requestedPages;
    this.limitPages = limitPages;
  }
}

export class SandboxTimeoutError extends Error {
  override name = "SandboxTimeoutError";
  readonly agent: string;
  readonly timeoutMs: number;
  constructor(agent: string, timeoutMs: number) {
    super(
      `WASM agent "${agent}" ran past its ${timeoutMs} ms limit and was stopped; make it faster or raise timeoutMs.`,
    );
    this.agent = agent;
    this.timeoutMs = timeoutMs;
  }
}

export class WasmAgentError extends Error {
  override name = "WasmAgentError";
  readonly agent: string;
  readonly code: number | undefined;
  constructor(agent: string, detail: string, code?: number) {
    super(`WASM agent "${agent}" failed: ${detail}.`);
    this.agent = agent;
    this.code = code;
  }
}

const WasmModule = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } })
  .WebAssembly.Module;

// Runs in the worker: plain JS (CommonJS, eval'd), so no loader is involved.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, input, importsMemory, initialPages, maxPages } = workerData;
try {
  const imports = {};
  let memory;
  if (importsMemory) {
    memory = new WebAssembly.Memory({ initial: initialPages, maximum: maxPages });
    imports.env = { memory };
  }
  const instance = new WebAssembly.Instance(module, imports);
  memory = memory || instance.exports.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error("the module neither imports env.memory nor exports memory");
  if (typeof instance.exports.run !== "function") throw new Error("the module exports no run function");
  const outPtr = (input.length + 7) & ~7;
  const need = outPtr + input.length + 4096;
  while (memory.buffer.byteLength < need) {
    if (memory.grow(1) < 0) throw new Error("the input does not fit in the memory limit");
  }
  new Uint8Array(memory.buffer).set(input, 0);
  const n = instance.exports.run(0, input.length, outPtr, memory.buffer.byteLength - outPtr);
  if (n < 0) parentPort.postMessage({ ok: false, error: "run returned error code " + n, code: n });
  else if (outPtr + n > memory.buffer.byteLength) parentPort.postMessage({ ok: false, error: "run returned a length past the end of memory" });
  else parentPort.postMessage({ ok: true, output: new Uint8Array(memory.buffer, outPtr, n).slice() });
} catch (error) {
  parentPort.postMessage({ ok: false, error: (error && error.message) || String(error) });
}
`;

export class WasmSandboxAdapter implements AgentAdapter {
  readonly name: string;
  /** A compiled WebAssembly.Module (typed loosely: the repo's lib settings carry no WebAssembly types). */
  private readonly module: object;
  private readonly importsMemory: boolean;
  private readonly initialPages: number;
  private readonly maxPages: number;
  private readonly timeoutMs: number;

  constructor(init: WasmSandboxInit) {
    this.name = init.name;
    this.maxPages = init.maxMemoryPages ?? 16;
    this.timeoutMs = init.timeoutMs ?? 1_000;
    const info = inspectWasm(init.module);
    const refused = info.imports.filter(
      (i) => !(i.module === "env" && i.name === "memory" && i.kind === "memory"),
    );
    if (refused.length > 0) throw new SandboxImportRefusedError(this.name, refused);
    const imported = info.imports.find((i) => i.kind === "memory");
    this.importsMemory = imported !== undefined;
    if (imported?.limits !== undefined) {
      if (imported.limits.min > this.maxPages) {
        throw new SandboxMemoryLimitError(
          this.name,
          imported.limits.min,
          this.maxPages,
          `needs ${imported.limits.min} pages to start`,
        );
      }
    }
    for (const m of info.memories) {
      if (m.max === undefined || m.max > this.maxPages) {
        throw new SandboxMemoryLimitError(
          this.name,
          m.max,
          this.maxPages,
          m.max === undefined
            ? "defines a memory with no maximum"
            : `defines a memory of up to ${m.max} pages`,
        );
      }
    }
    this.initialPages = Math.max(1, imported?.limits?.min ?? 1);
    this.module = new WasmModule(init.module);
  }

  async invoke(request: AgentRequest): Promise<Json> {
    request.signal.throwIfAborted();
    const input = new TextEncoder().encode(JSON.stringify(request.input));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: this.module,
        input,
        importsMemory: this.importsMemory,
        initialPages: this.initialPages,
        maxPages: this.maxPages,
      },
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: {
        maxOldGenerationSizeMb: 32,
        maxYoungGenerationSizeMb: 8,
        codeRangeSizeMb: 16,
        stackSizeMb: 1,
      },
    });
    type Reply = { ok: true; output: Uint8Array } | { ok: false; error: string; code?: number };
    try {
      const reply = await new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new SandboxTimeoutError(this.name, this.timeoutMs)),
          this.timeoutMs,
        );
        const onAbort = (): void => reject(request.signal.reason as Error);
        request.signal.addEventListener("abort", onAbort, { once: true });
        const done = (): void => {
          clearTimeout(timer);
          request.signal.removeEventListener("abort", onAbort);
        };
        worker.once("message", (m: Reply) => (done(), resolve(m)));
        worker.once("error", (e: Error) => (done(), reject(new WasmAgentError(this.name, e.message))));
        worker.once(
          "exit",
          (code) => (done(), reject(new WasmAgentError(this.name, `the sandbox exited (${code})`))),
        );
      });
      if (!reply.ok) throw new WasmAgentError(this.name, reply.error, reply.code);
      const text = new TextDecoder().decode(reply.output);
      try {
        return JSON.parse(text) as Json;
      } catch {
        return { text };
      }
    } finally {
      await worker.terminate();
    }
  }
}
