/**
 * `node scripts/circuits/check-fresh.ts` (part of `npm run build`, which CI runs).
 *
 * Fails, naming the circuit and the file, when a circuit's generated files do not match its
 * sources:
 *   - a source (the main .circom file or anything it includes, circomlib included) differs from the
 *     hash recorded in circuits/keys/manifest.json;
 *   - a committed key, vkey or verifier is missing or differs from its recorded hash;
 *   - the vkey or the Solidity verifier is not what the committed zkey exports;
 *   - the r1cs that circom2 compiles now differs from the one the keys were made for.
 * It also compiles the circuits whose wasm/r1cs are missing from circuits/build/ (a clean clone),
 * because the tests, the benches and node/src/lineage/ need the wasm. It never runs a setup.
 */
import { existsSync, readFileSync } from "node:fs";
import { CIRCUITS } from "./config.ts";
import {
  circuitSources,
  compile,
  paths,
  readManifest,
  rel,
  renderVerifier,
  sha256File,
  sha256Text,
  terminateCurve,
} from "./lib.ts";

const FIX = "run `npm run build:circuits` and commit circuits/keys/ and contracts/verifiers/";

async function check(): Promise<string[]> {
  const snarkjs = await import("snarkjs");
  const manifest = readManifest();
  const problems: string[] = [];
  for (const c of CIRCUITS) {
    const entry = manifest[c.name];
    if (!entry) {
      problems.push(
        `${c.name}: no entry in ${rel(paths.manifest)}: the circuit has never been set up; ${FIX}`,
      );
      continue;
    }
    const sources = circuitSources(c);
    const changed = Object.keys({ ...sources, ...entry.sources }).filter(
      (f) => sources[f] !== entry.sources[f],
    );
    for (const file of changed) {
      const what = !(file in sources)
        ? "is no longer included"
        : !(file in entry.sources)
          ? "is new"
          : "changed";
      problems.push(`${c.name}: source ${file} ${what} since its keys were generated; ${FIX}`);
    }
    const committed: [string, string][] = [
      [paths.zkey(c), entry.zkey],
      [paths.vkey(c), entry.vkey],
      [paths.verifier(c), entry.verifier],
    ];
    for (const [file, hash] of committed) {
      if (!existsSync(file)) problems.push(`${c.name}: ${rel(file)} is missing; ${FIX}`);
      else if (sha256File(file) !== hash) {
        problems.push(
          `${c.name}: ${rel(file)} differs from the hash in ${rel(paths.manifest)} (edited by hand?); ${FIX}`,
        );
      }
    }
    if (changed.length > 0 || !existsSync(paths.zkey(c))) continue;

    const vkey = JSON.stringify(await snarkjs.zKey.exportVerificationKey(paths.zkey(c)), null, 2) + "\n";
    if (!existsSync(paths.vkey(c)) || readFileSync(paths.vkey(c), "utf8") !== vkey) {
      problems.push(
        `${c.name}: ${rel(paths.vkey(c))} is not the verification key of ${rel(paths.zkey(c))}; ${FIX}`,
      );
    }
    const verifier = await renderVerifier(c, paths.zkey(c));
    if (!existsSync(paths.verifier(c)) || sha256Text(verifier) !== sha256File(paths.verifier(c))) {
      problems.push(
        `${c.name}: ${rel(paths.verifier(c))} is not the verifier exported from ${rel(paths.zkey(c))}; ${FIX}`,
      );
    }

    compile(c, sources);
    if (sha256File(paths.r1cs(c)) !== entry.r1cs) {
      problems.push(
        `${c.name}: circom2 now compiles ${rel(paths.main(c))} to a different r1cs than the keys were made for ` +
          `(a toolchain change?); ${FIX}`,
      );
    }
  }
  return problems;
}

const started = performance.now();
let problems: string[];
try {
  problems = await check();
} finally {
  await terminateCurve();
}
if (problems.length > 0) {
  console.error(`Circuit keys are stale:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(
  `circuits: ${CIRCUITS.length} circuits' keys, vkeys and verifiers match their sources ` +
    `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
