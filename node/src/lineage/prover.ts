/**
 * Groth16 proving off the event loop: a WorkerProver owns one worker thread (prover-worker.ts) and
 * queues jobs to it. The caller's thread only posts a message and awaits the answer.
 */
import { Worker } from "node:worker_threads";
import type { CircuitSignals, Groth16Proof } from "snarkjs";
import { NotStartedError, ProverError } from "./errors.ts";

export interface ProveRequest {
  /** Circuit name, for error messages. */
  circuit: string;
  input: CircuitSignals;
  wasm: string;
  zkey: string;
}

export interface ProveResult {
  proof: Groth16Proof;
  publicSignals: string[];
}

/** Something that makes Groth16 proofs. */
export interface Prover {
  start(): Promise<void>;
  stop(): Promise<void>;
  prove(request: ProveRequest): Promise<ProveResult>;
}

type Pending = { circuit: string; resolve: (r: ProveResult) => void; reject: (e: Error) => void };

export class WorkerProver implements Prover {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  async start(): Promise<void> {
    if (this.worker) return;
    const worker = new Worker(new URL("./prover-worker.ts", import.meta.url), {
      name: "ainur-lineage-prover",
    });
    worker.on(
      "message",
      (message: { id: number; proof?: Groth16Proof; publicSignals?: string[]; error?: string }) => {
        const job = this.pending.get(message.id);
        if (!job) return;
        this.pending.delete(message.id);
        if (message.error !== undefined || !message.proof || !message.publicSignals) {
          job.reject(new ProverError(job.circuit, message.error ?? "the worker sent no proof"));
        } else {
          job.resolve({ proof: message.proof, publicSignals: message.publicSignals });
        }
      },
    );
    worker.on("error", (error) => this.failAll(error.message));
    worker.on("exit", (code) => {
      this.worker = undefined;
      this.failAll(`the prover worker exited (code ${code})`);
    });
    this.worker = worker;
  }

  /** Ends the worker and snarkjs's threads under it; proofs still queued fail with a ProverError. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    await worker.terminate();
    await exited;
  }

  prove(request: ProveRequest): Promise<ProveResult> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new NotStartedError("the prover"));
    const id = this.nextId++;
    return new Promise<ProveResult>((resolve, reject) => {
      this.pending.set(id, { circuit: request.circuit, resolve, reject });
      worker.postMessage({ id, input: request.input, wasm: request.wasm, zkey: request.zkey });
    });
  }

  private failAll(reason: string): void {
    for (const [id, job] of this.pending) {
      this.pending.delete(id);
      job.reject(new ProverError(job.circuit, reason));
    }
  }
}
