/**
 * `npm run bench [-- <id-prefix>...]`: runs every suite under scripts/bench/ (files `*.bench.ts`)
 * whose ids start with one of the prefixes, prints a table and writes `bench-results.json`.
 */
import { readdir, writeFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import os from "node:os";
import type { BenchResult, BenchSuite } from "./types.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const prefixes = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const selected = (id: string): boolean => prefixes.length === 0 || prefixes.some((p) => id.startsWith(p));

const files = (await readdir(here)).filter((f) => f.endsWith(".bench.ts")).sort();
const suites: BenchSuite[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { default: BenchSuite };
  if (mod.default.ids.some(selected)) suites.push(mod.default);
}
if (suites.length === 0) {
  const known = files.join(", ") || "none";
  console.error(
    `No benchmark id starts with ${prefixes.map((p) => `"${p}"`).join(" or ")} (suites: ${known}).`,
  );
  process.exit(2);
}

const results: BenchResult[] = [];
let failed = false;
for (const suite of suites) {
  process.stderr.write(`bench: ${suite.name} ...\n`);
  const started = performance.now();
  try {
    const got = (await suite.run(selected)).filter((r) => selected(r.id));
    results.push(...got);
    process.stderr.write(
      `bench: ${suite.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } catch (error) {
    failed = true;
    process.stderr.write(`bench: ${suite.name} failed: ${(error as Error).stack ?? String(error)}\n`);
  }
}

await writeFile(path.join(root, "bench-results.json"), JSON.stringify(results, null, 2) + "\n");
const width = Math.max(4, ...results.map((r) => r.id.length));
console.log(`\n${"id".padEnd(width)}  ${"value".padStart(14)}  unit        better`);
for (const r of results) {
  const value = Number.isInteger(r.value) ? r.value.toString() : r.value.toFixed(r.value < 10 ? 3 : 1);
  console.log(`${r.id.padEnd(width)}  ${value.padStart(14)}  ${r.unit.padEnd(10)}  ${r.better}`);
}
console.log(
  `\n${results.length} figures on ${os.cpus().length}× ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}; written to bench-results.json`,
);
await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
process.exit(failed ? 1 : 0);
