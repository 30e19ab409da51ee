/**
 * `node scripts/gas/check.ts [--update]`: measures the gas of every user-facing contract function (see
 * `measure.ts`) on a fresh in-process Hardhat network and compares it with the committed `gas-snapshot.json`.
 * It fails on any difference, and on any gas target exceeded; `--update` rewrites the snapshot after a change
 * that has been explained (say why in the commit message). Needs compiled artifacts (`npx hardhat build`).
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { network } from "hardhat";
import { GAS_TARGETS, measureGas } from "./measure.ts";
import type { GasReport } from "./measure.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SNAPSHOT_FILE = path.join(root, "gas-snapshot.json");

/** Differences between a snapshot and a measurement, as readable lines (empty when they agree). */
export function diffGas(snapshot: GasReport, measured: GasReport): string[] {
  const lines: string[] = [];
  for (const key of new Set([...Object.keys(snapshot), ...Object.keys(measured)])) {
    const before = snapshot[key];
    const after = measured[key];
    if (before === after) continue;
    if (before === undefined) lines.push(`  + ${key}: ${after} (new)`);
    else if (after === undefined) lines.push(`  - ${key}: ${before} (no longer measured)`);
    else lines.push(`  ~ ${key}: ${before} -> ${after} (${after > before ? "+" : ""}${after - before})`);
  }
  return lines;
}

/** Gas targets that a measurement exceeds, as readable lines. */
export function overTargets(measured: GasReport): string[] {
  return Object.entries(GAS_TARGETS)
    .filter(([key, target]) => (measured[key] ?? Infinity) > target)
    .map(([key, target]) => `  ${key}: ${measured[key] ?? "not measured"} > target ${target}`);
}

export async function readSnapshot(): Promise<GasReport> {
  try {
    return JSON.parse(await readFile(SNAPSHOT_FILE, "utf8")) as GasReport;
  } catch {
    return {};
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const connection = await network.create();
  const measured = await measureGas(connection);
  await connection.close();
  const over = overTargets(measured);
  if (process.argv.includes("--update")) {
    await writeFile(SNAPSHOT_FILE, JSON.stringify(measured, null, 2) + "\n");
    console.log(
      `gas: wrote ${Object.keys(measured).length} entries to ${path.relative(root, SNAPSHOT_FILE)}`,
    );
  } else {
    const diff = diffGas(await readSnapshot(), measured);
    if (diff.length > 0) {
      console.error(`gas: the measured gas differs from gas-snapshot.json:\n${diff.join("\n")}`);
      console.error(
        "If the change is intended, run `node scripts/gas/check.ts --update` and explain it in the commit.",
      );
      process.exitCode = 1;
    } else console.log(`gas: ${Object.keys(measured).length} functions match gas-snapshot.json`);
  }
  if (over.length > 0) {
    console.error(`gas: over target:\n${over.join("\n")}`);
    process.exitCode = 1;
  }
}
