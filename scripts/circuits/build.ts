/**
 * `npm run build:circuits [-- <name>...] [--setup]`
 *
 * For each circuit in scripts/circuits/config.ts:
 *   1. compiles circuits/<name>.circom with circom2 --O2 into circuits/build/<name>/ (gitignored),
 *      unless the build there came from the same sources;
 *   2. if circuits/keys/manifest.json says the committed keys were made from these sources and this
 *      r1cs, stops there: the Groth16 setup is not redone;
 *   3. otherwise runs the setup: zkey new from the prepared ptau (circuits/ptau/pot<N>.ptau if
 *      committed, else circuits/build/ptau/, else made by scripts/circuits/ptau.ts), then zkey beacon
 *      with a fixed beacon, so the key is deterministic; exports circuits/keys/<name>.vkey.json and
 *      contracts/verifiers/<Verifier>.sol; and records every hash in the manifest.
 *
 * `--setup` forces step 3 (to check that the committed keys reproduce: the hashes must not change).
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CIRCUITS, ZKEY_BEACON, ZKEY_BEACON_ITERATIONS_EXP } from "./config.ts";
import type { CircuitConfig } from "./config.ts";
import {
  circuitSources,
  compile,
  paths,
  r1csInfo,
  readManifest,
  rel,
  renderVerifier,
  sha256File,
  sha256Text,
  sourcesDigest,
  terminateCurve,
  toolVersions,
  writeManifest,
} from "./lib.ts";
import type { ManifestEntry } from "./lib.ts";
import { builtPtauPath, makePtau } from "./ptau.ts";

function ptauFor(c: CircuitConfig): string {
  const committed = paths.committedPtau(c.ptauPower);
  if (existsSync(committed)) return committed;
  if (existsSync(builtPtauPath(c.ptauPower))) return builtPtauPath(c.ptauPower);
  process.stderr.write(`circuits: no prepared 2^${c.ptauPower} ptau yet: making one (this takes minutes)\n`);
  return makePtau(c.ptauPower);
}

/** True when the manifest entry matches the sources, the r1cs and the committed keys. */
function keysMatch(
  entry: ManifestEntry | undefined,
  digest: string,
  r1cs: string,
  c: CircuitConfig,
): boolean {
  if (!entry || entry.sourcesDigest !== digest || entry.r1cs !== r1cs) return false;
  const files: [string, string][] = [
    [paths.zkey(c), entry.zkey],
    [paths.vkey(c), entry.vkey],
  ];
  return files.every(([file, hash]) => existsSync(file) && sha256File(file) === hash);
}

async function setup(
  c: CircuitConfig,
  sources: Record<string, string>,
  r1csHash: string,
): Promise<ManifestEntry> {
  const snarkjs = await import("snarkjs");
  const ptau = ptauFor(c);
  const work = path.join(paths.buildDir(c), "setup");
  mkdirSync(work, { recursive: true });
  mkdirSync(paths.keys, { recursive: true });
  const initial = path.join(work, `${c.name}_0000.zkey`);
  const final = path.join(work, `${c.name}_final.zkey`);
  const started = performance.now();
  process.stderr.write(`circuits: Groth16 setup for ${c.name} from ${rel(ptau)} ...\n`);
  await snarkjs.zKey.newZKey(paths.r1cs(c), ptau, initial);
  const ok = await snarkjs.zKey.beacon(
    initial,
    final,
    `Ainur ${c.name} beacon`,
    ZKEY_BEACON,
    ZKEY_BEACON_ITERATIONS_EXP,
  );
  if (ok === false || !existsSync(final)) throw new Error(`snarkjs zkey beacon failed for ${c.name}`);
  copyFileSync(final, paths.zkey(c));
  rmSync(work, { recursive: true, force: true });

  const vkey = await snarkjs.zKey.exportVerificationKey(paths.zkey(c));
  writeFileSync(paths.vkey(c), JSON.stringify(vkey, null, 2) + "\n");
  mkdirSync(path.dirname(paths.verifier(c)), { recursive: true });
  writeFileSync(paths.verifier(c), await renderVerifier(c, paths.zkey(c)));
  process.stderr.write(
    `circuits: setup for ${c.name} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const info = await r1csInfo(paths.r1cs(c));
  return {
    ...toolVersions(),
    sources,
    sourcesDigest: sourcesDigest(sources),
    r1cs: r1csHash,
    constraints: info.constraints,
    publicInputs: info.publicInputs,
    ptau: { power: c.ptauPower, sha256: sha256File(ptau) },
    zkeyBeacon: ZKEY_BEACON,
    zkey: sha256File(paths.zkey(c)),
    vkey: sha256File(paths.vkey(c)),
    verifier: sha256File(paths.verifier(c)),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const forceSetup = args.includes("--setup");
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !CIRCUITS.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown circuit(s) ${unknown.join(", ")}; known: ${CIRCUITS.map((c) => c.name).join(", ")}`,
    );
  }
  const selected = CIRCUITS.filter((c) => names.length === 0 || names.includes(c.name));
  for (const c of selected) {
    const sources = circuitSources(c);
    compile(c, sources);
    const r1csHash = sha256File(paths.r1cs(c));
    const manifest = readManifest();
    const current = manifest[c.name];
    if (!forceSetup && current && keysMatch(current, sourcesDigest(sources), r1csHash, c)) {
      // The keys stand; the verifier is re-rendered in case its template changed.
      const verifier = await renderVerifier(c, paths.zkey(c));
      if (!existsSync(paths.verifier(c)) || sha256File(paths.verifier(c)) !== sha256Text(verifier)) {
        writeFileSync(paths.verifier(c), verifier);
        writeManifest({ ...readManifest(), [c.name]: { ...current, verifier: sha256Text(verifier) } });
        process.stderr.write(`circuits: ${c.name}: keys unchanged, verifier re-rendered\n`);
      } else {
        process.stderr.write(`circuits: ${c.name}: committed keys match the sources, setup skipped\n`);
      }
      continue;
    }
    const entry = await setup(c, sources, r1csHash);
    const before = manifest[c.name];
    if (forceSetup && before && before.zkey !== entry.zkey) {
      process.stderr.write(
        `circuits: ${c.name}: the setup did NOT reproduce the committed zkey (${before.zkey} → ${entry.zkey})\n`,
      );
    }
    writeManifest({ ...readManifest(), [c.name]: entry });
    process.stderr.write(`circuits: ${c.name}: ${entry.constraints} constraints, keys written\n`);
  }
}

try {
  await main();
} finally {
  await terminateCurve();
}
