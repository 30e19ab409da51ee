/**
 * The prover thread (node:worker_threads). It receives `{ id, input, wasm, zkey }` and answers
 * `{ id, proof, publicSignals }` or `{ id, error }`, one job at a time, in order. Its owner ends it
 * with `worker.terminate()`, which ends snarkjs's threads under it too.
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

if (!threads.parentPort) throw new Error("prover-worker.ts must run in a worker thread");
const port = threads.parentPort;

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

/**
 * One proof at a time: the pool already uses every core, and a witness calculator's wasm memory
 * cannot serve two witnesses at once.
 */
let queue: Promise<void> = Promise.resolve();

async function prove(job: ProveJob): Promise<void> {
  try {
    const [calculator, zkey] = await Promise.all([witnessCalculator(job.wasm), provingKey(job.zkey)]);
    const witness = await calculator.calculateWTNSBin(job.input, true);
    const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, witness);
    port.postMessage({ id: job.id, proof, publicSignals });
  } catch (error) {
    port.postMessage({
      id: job.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
}

port.on("message", (job: ProveJob) => {
  queue = queue.then(() => prove(job));
});
