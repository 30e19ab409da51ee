/**
 * The prover thread (node:worker_threads). It receives `{ id, input, wasm, zkey }`, runs snarkjs's
 * Groth16 fullProve, and answers `{ id, proof, publicSignals }` or `{ id, error }`. A `{ stop: true }`
 * message ends snarkjs's own threads and closes the port, so the worker exits.
 */
import { parentPort } from "node:worker_threads";
import * as snarkjs from "snarkjs";
import type { CircuitSignals } from "snarkjs";

export interface ProveJob {
  id: number;
  input: CircuitSignals;
  wasm: string;
  zkey: string;
}

if (!parentPort) throw new Error("prover-worker.ts must run in a worker thread");
const port = parentPort;

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
      // singleThread: inside a worker thread snarkjs cannot start its own thread pool (see prover.ts).
      const { proof, publicSignals } = await snarkjs.groth16.fullProve(
        message.input,
        message.wasm,
        message.zkey,
        undefined,
        undefined,
        { singleThread: true },
      );
      port.postMessage({ id: message.id, proof, publicSignals });
    } catch (error) {
      port.postMessage({
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  })();
});
