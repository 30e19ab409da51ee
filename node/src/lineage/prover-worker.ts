/**
 * The prover thread (node:worker_threads). It receives `{ id, input, wasm, zkey }` and answers
 * `{ id, proof, publicSignals }` or `{ id, error }`. A `{ stop: true }` message ends snarkjs's own
 * threads and closes the port, so the worker exits.
 *
 * It keeps what every proof of a circuit shares: the compiled witness calculator and the proving key,
 * read once per file. Proving itself uses snarkjs's thread pool (one thread per core), started from
 * here, so the node's event loop never runs curve arithmetic.
 */
import threads from "node:worker_threads";
import { readFile } from "node:fs/promises";
import type { CircuitSignals } from "snarkjs";

export interface ProveJob {
  id: number;
  input: CircuitSignals;
  wasm: string;
  zkey: string;
}

const port = threads.parentPort;
if (!port) throw new Error("prover-worker.ts must run in a worker thread");

// snarkjs's pool comes from the `web-worker` package, which decides when it is first imported whether
// it runs on the main thread (then it spawns pool threads) or inside a pool thread (then it takes over
// this thread's port). This thread is a pool's owner, not a pool thread: say so while snarkjs loads.
const owner = threads as { isMainThread: boolean };
owner.isMainThread = true;
const snarkjs = await import("snarkjs");
owner.isMainThread = false;

/** A file's bytes, read once: snarkjs takes bytes wherever it takes a path. */
const files = new Map<string, Promise<Uint8Array>>();
function cached(file: string): Promise<Uint8Array> {
  let bytes = files.get(file);
  if (!bytes) {
    bytes = readFile(file).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    bytes.catch(() => files.delete(file)); // a missing file may appear later (npm run build)
    files.set(file, bytes);
  }
  return bytes;
}

port.on("message", (message: ProveJob | { stop: true }) => {
  if ("stop" in message) {
    void (async () => {
      await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
      port.close();
    })();
    return;
  }
  void (async () => {
    try {
      const [wasm, zkey] = await Promise.all([cached(message.wasm), cached(message.zkey)]);
      const { proof, publicSignals } = await snarkjs.groth16.fullProve(message.input, wasm, zkey);
      port.postMessage({ id: message.id, proof, publicSignals });
    } catch (error) {
      port.postMessage({
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  })();
});
