/**
 * The prover thread (node:worker_threads). It receives `{ id, input, wasm, zkey }` and answers
 * `{ id, proof, publicSignals }` or `{ id, error }`. A `{ stop: true }` message ends snarkjs's own
 * threads and closes the port, so the worker exits.
 *
 * It keeps what every proof of a circuit shares: the circuit's compiled witness calculator and its
 * proving key, loaded once. Proving itself uses snarkjs's thread pool (one thread per core), started
 * from here, so the node's event loop never runs curve arithmetic.
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

// snarkjs's pool comes from the `web-worker` package (through ffjavascript, which circom_runtime uses
// too), which decides when it is first imported whether it runs on the main thread (then it spawns pool
// threads) or inside a pool thread (then it takes over this thread's port). This thread is a pool's
// owner, not a pool thread: say so while they load, hence no static imports of them.
const owner = threads as { isMainThread: boolean };
owner.isMainThread = true;
const snarkjs = await import("snarkjs");
const { WitnessCalculatorBuilder } = await import("circom_runtime");
owner.isMainThread = false;

/** Loaded once per path; a failed load is forgotten (the file may appear later, after `npm run build`). */
function memo<T>(load: (file: string) => Promise<T>): (file: string) => Promise<T> {
  const loaded = new Map<string, Promise<T>>();
  return (file) => {
    let value = loaded.get(file);
    if (!value) {
      value = load(file);
      value.catch(() => loaded.delete(file));
      loaded.set(file, value);
    }
    return value;
  };
}

const provingKey = memo(async (file) => {
  const bytes = await readFile(file);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
});
const witnessCalculator = memo(async (file) => WitnessCalculatorBuilder(await readFile(file)));

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
      const [calculator, zkey] = await Promise.all([
        witnessCalculator(message.wasm),
        provingKey(message.zkey),
      ]);
      const witness = await calculator.calculateWTNSBin(message.input, true);
      const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, witness);
      port.postMessage({ id: message.id, proof, publicSignals });
    } catch (error) {
      port.postMessage({
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  })();
});
