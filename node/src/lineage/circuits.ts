/**
 * Where the lineage circuits' artefacts live, and how their inputs are laid out. The wasm comes from
 * circuits/build/ (made by `npm run build` or `npm run build:circuits`); the keys are committed in
 * circuits/keys/.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const LINEAGE_DEPTH = 20;
/** K of circuits/lineage20batch.circom: records per batch proof. */
export const BATCH_SIZE = 16;
/** WINDOW of circuits/lineage20batch.circom: a batch's records share an aligned window of 2^WINDOW leaves. */
export const BATCH_WINDOW = 5;

export type LineageCircuitName = "lineage20" | "lineage20batch";

export interface CircuitFiles {
  wasm: string;
  zkey: string;
  vkey: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The artefacts of `circuit` under `root` (default: this repository). */
export function circuitFiles(circuit: LineageCircuitName, root: string = repoRoot): CircuitFiles {
  return {
    wasm: path.join(root, "circuits/build", circuit, `${circuit}_js`, `${circuit}.wasm`),
    zkey: path.join(root, "circuits/keys", `${circuit}.zkey`),
    vkey: path.join(root, "circuits/keys", `${circuit}.vkey.json`),
  };
}
