/**
 * `node scripts/circuits/ptau.ts <power>`: makes a prepared powers-of-tau file for circuits of up to
 * 2^power constraints, deterministically, from nothing but snarkjs:
 *
 *   powersoftau new bn128 <power>  →  powersoftau beacon (fixed beacon, 2^10 iterations)
 *   →  powersoftau prepare phase2
 *
 * The same snarkjs version always produces the same bytes, so anyone can rebuild the file and check
 * the committed keys against it. snarkjs's `contribute` mixes in OS randomness, so it is not used: the
 * only contribution is a public beacon. That makes the toxic waste public too. These keys are for
 * development and tests; a production deployment must run a phase-2 ceremony on a public ptau.
 *
 * Output: circuits/build/ptau/pot<power>_final.ptau (gitignored; see circuits/README.md for which
 * prepared files are committed under circuits/ptau/).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** sha256("Ainur development beacon v1"). */
export const PTAU_BEACON = "a10138409ebcc5f238fcbf1853b386f011416e004b99012276c212d05a8f0a48";
export const PTAU_BEACON_ITERATIONS_EXP = 10;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const snarkjsCli = path.join(root, "node_modules/snarkjs/build/cli.cjs");

function snarkjs(args: string[], output: string): void {
  const started = performance.now();
  const result = spawnSync(process.execPath, [snarkjsCli, ...args], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  // snarkjs's CLI exits 0 on some errors: check the output file as well.
  if (result.status !== 0 || !existsSync(output)) {
    throw new Error(`snarkjs ${args.join(" ")} failed with exit code ${result.status ?? result.signal}`);
  }
  process.stderr.write(
    `ptau: snarkjs ${args[0]} ${args[1]} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

/** Path of the prepared file for `power` inside circuits/build/ptau/. */
export function builtPtauPath(power: number): string {
  return path.join(root, "circuits/build/ptau", `pot${power}_final.ptau`);
}

/** Builds circuits/build/ptau/pot<power>_final.ptau unless it already exists. Returns its path. */
export function makePtau(power: number): string {
  if (!Number.isInteger(power) || power < 8 || power > 20) {
    throw new Error(`ptau: power must be an integer in [8, 20], got ${power}`);
  }
  const final = builtPtauPath(power);
  if (existsSync(final)) return final;
  const dir = path.dirname(final);
  mkdirSync(dir, { recursive: true });
  const fresh = path.join(dir, `pot${power}_0000.ptau`);
  const beacon = path.join(dir, `pot${power}_beacon.ptau`);
  const partial = `${final}.partial`;
  snarkjs(["powersoftau", "new", "bn128", String(power), fresh], fresh);
  snarkjs(
    [
      "powersoftau",
      "beacon",
      fresh,
      beacon,
      PTAU_BEACON,
      String(PTAU_BEACON_ITERATIONS_EXP),
      "-n=Ainur development beacon",
    ],
    beacon,
  );
  snarkjs(["powersoftau", "prepare", "phase2", beacon, partial], partial);
  renameSync(partial, final);
  rmSync(fresh);
  rmSync(beacon);
  return final;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const power = Number(process.argv[2] ?? "13");
  console.log(makePtau(power));
}
