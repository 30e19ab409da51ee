/**
 * Shared by build.ts and check-fresh.ts: source discovery, hashing, compiling with circom2, the
 * manifest, and the snarkjs steps of the phase-2 setup.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CircuitConfig } from "./config.ts";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const paths = {
  keys: path.join(root, "circuits/keys"),
  manifest: path.join(root, "circuits/keys/manifest.json"),
  build: path.join(root, "circuits/build"),
  committedPtau: (power: number) => path.join(root, "circuits/ptau", `pot${power}.ptau`),
  main: (c: CircuitConfig) => path.join(root, "circuits", `${c.name}.circom`),
  buildDir: (c: CircuitConfig) => path.join(root, "circuits/build", c.name),
  r1cs: (c: CircuitConfig) => path.join(root, "circuits/build", c.name, `${c.name}.r1cs`),
  wasm: (c: CircuitConfig) => path.join(root, "circuits/build", c.name, `${c.name}_js`, `${c.name}.wasm`),
  stamp: (c: CircuitConfig) => path.join(root, "circuits/build", c.name, "sources.sha256"),
  zkey: (c: CircuitConfig) => path.join(root, "circuits/keys", `${c.name}.zkey`),
  vkey: (c: CircuitConfig) => path.join(root, "circuits/keys", `${c.name}.vkey.json`),
  verifier: (c: CircuitConfig) => path.join(root, "contracts/verifiers", `${c.verifier}.sol`),
};

/** Path relative to the repo root, with forward slashes, for messages and the manifest. */
export const rel = (p: string): string => path.relative(root, p).split(path.sep).join("/");

export function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

export function sha256Text(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Every .circom file the circuit's main file includes, transitively, with its sha256, keyed by
 * repo-relative path. Includes resolve like circom's: relative to the including file, then from
 * node_modules (our `-l node_modules`).
 */
export function circuitSources(c: CircuitConfig): Record<string, string> {
  const found = new Map<string, string>();
  const visit = (file: string): void => {
    const key = rel(file);
    if (found.has(key)) return;
    const text = readFileSync(file, "utf8");
    found.set(key, sha256Text(text));
    for (const match of text.matchAll(/^\s*include\s+"([^"]+)"\s*;/gm)) {
      const target = match[1]!;
      const local = path.resolve(path.dirname(file), target);
      const fromLib = path.join(root, "node_modules", target);
      if (existsSync(local)) visit(local);
      else if (existsSync(fromLib)) visit(fromLib);
      else throw new Error(`${key} includes "${target}", which exists neither beside it nor in node_modules`);
    }
  };
  visit(paths.main(c));
  return Object.fromEntries([...found.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** One hash over all sources (path and content), so any edit, addition or removal changes it. */
export function sourcesDigest(sources: Record<string, string>): string {
  return sha256Text(
    Object.entries(sources)
      .map(([file, hash]) => `${hash}  ${file}\n`)
      .join(""),
  );
}

export interface ManifestEntry {
  /** circom2 / snarkjs versions that made the files. */
  circom2: string;
  snarkjs: string;
  sources: Record<string, string>;
  sourcesDigest: string;
  r1cs: string;
  constraints: number;
  publicInputs: number;
  ptau: { power: number; sha256: string };
  zkeyBeacon: string;
  zkey: string;
  vkey: string;
  verifier: string;
}

export type Manifest = Record<string, ManifestEntry>;

export function readManifest(): Manifest {
  if (!existsSync(paths.manifest)) return {};
  return JSON.parse(readFileSync(paths.manifest, "utf8")) as Manifest;
}

export function writeManifest(manifest: Manifest): void {
  mkdirSync(paths.keys, { recursive: true });
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(paths.manifest, JSON.stringify(sorted, null, 2) + "\n");
}

export function toolVersions(): { circom2: string; snarkjs: string } {
  // snarkjs's "exports" hides its package.json: read the files directly.
  const version = (pkg: string): string =>
    (
      JSON.parse(readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  return { circom2: version("circom2"), snarkjs: version("snarkjs") };
}

/**
 * Compiles circuits/<name>.circom into circuits/build/<name>/ (r1cs, wasm, sym) unless the build
 * there was made from the same sources. Returns true when it compiled.
 */
export function compile(c: CircuitConfig, sources: Record<string, string>, force = false): boolean {
  const digest = sourcesDigest(sources);
  const stamp = paths.stamp(c);
  const upToDate =
    !force &&
    existsSync(paths.r1cs(c)) &&
    existsSync(paths.wasm(c)) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8").trim() === digest;
  if (upToDate) return false;
  const out = paths.buildDir(c);
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  // circom2 must run from the repo root: its includes fail when the main path contains "..".
  const result = spawnSync(
    process.execPath,
    [
      path.join(root, "node_modules/circom2/cli.js"),
      rel(paths.main(c)),
      "--r1cs",
      "--wasm",
      "--sym",
      "--O2",
      "-l",
      "node_modules",
      "-o",
      rel(out),
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (result.status !== 0 || !existsSync(paths.r1cs(c)) || !existsSync(paths.wasm(c))) {
    throw new Error(`circom2 failed to compile ${rel(paths.main(c))}:\n${result.stdout}${result.stderr}`);
  }
  writeFileSync(stamp, digest + "\n");
  process.stderr.write(
    `circuits: compiled ${c.name} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return true;
}

/**
 * Renders the Solidity verifier for `c`'s verification key, renamed for `c`: snarkjs's own template
 * (a contract with `verifyProof`), or ours for circuits whose first public input is an anchored root
 * (a library whose root term the registry precomputes; scripts/circuits/verifier_groth16_anchored.sol.ejs).
 */
export async function renderVerifier(c: CircuitConfig, zkeyFile: string): Promise<string> {
  const snarkjs = await import("snarkjs");
  const [templateFile, declaration] =
    c.template === "anchored"
      ? [
          path.join(root, "scripts/circuits/verifier_groth16_anchored.sol.ejs"),
          "library Groth16AnchoredVerifier {",
        ]
      : [
          path.join(root, "node_modules/snarkjs/templates/verifier_groth16.sol.ejs"),
          "contract Groth16Verifier {",
        ];
  const source = await snarkjs.zKey.exportSolidityVerifier(zkeyFile, {
    groth16: readFileSync(templateFile, "utf8"),
  });
  if (!source.includes(declaration)) {
    throw new Error(
      `${path.relative(root, templateFile)} no longer declares \`${declaration}\`: update renderVerifier`,
    );
  }
  const origin =
    c.template === "anchored"
      ? "Template: scripts/circuits/verifier_groth16_anchored.sol.ejs."
      : "snarkjs's header follows.";
  const note =
    `// Generated by scripts/circuits/build.ts from circuits/${c.name}.circom and circuits/keys/${c.name}.zkey.\n` +
    `// Do not edit: change the circuit and run \`npm run build:circuits\`. ${origin}\n`;
  return note + source.replace(declaration, declaration.replace(/\w+ \{$/, `${c.verifier} {`));
}

/** Reads the number of constraints and public inputs from an r1cs header. */
export async function r1csInfo(file: string): Promise<{ constraints: number; publicInputs: number }> {
  const snarkjs = await import("snarkjs");
  const info = await snarkjs.r1cs.info(file);
  return { constraints: info.nConstraints, publicInputs: info.nPubInputs + info.nOutputs };
}

/** Ends snarkjs's worker threads, without which the process never exits. */
export async function terminateCurve(): Promise<void> {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
}
