/**
 * `node scripts/contracts/check-coverage.ts [--min 95]`: reads `coverage/lcov.info`, written by
 * `npx hardhat test --coverage`, and fails unless the line coverage of contracts/ (excluding
 * contracts/mocks/ and the generated contracts/verifiers/) reaches the minimum. Prints one line per file.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { values } = parseArgs({
  options: { min: { type: "string", default: "95" }, lcov: { type: "string" } },
});
const file = values.lcov ?? path.join(root, "coverage", "lcov.info");
const excluded = (source: string): boolean =>
  source.startsWith("contracts/mocks/") || source.startsWith("contracts/verifiers/");

let text: string;
try {
  text = await readFile(file, "utf8");
} catch {
  console.error(`coverage: no ${path.relative(root, file)}; run \`npx hardhat test --coverage\` first.`);
  process.exit(2);
}

let found = 0;
let hit = 0;
for (const record of text.split("end_of_record")) {
  const source = /^SF:(.*)$/m.exec(record)?.[1]?.trim();
  if (source === undefined || !source.startsWith("contracts/") || excluded(source)) continue;
  const lines = [...record.matchAll(/^DA:(\d+),(\d+)/gm)];
  const covered = lines.filter((m) => Number(m[2]) > 0).length;
  found += lines.length;
  hit += covered;
  const pct = lines.length === 0 ? 100 : (100 * covered) / lines.length;
  console.log(`${pct.toFixed(2).padStart(7)}%  ${covered}/${lines.length}  ${source}`);
}
const total = found === 0 ? 0 : (100 * hit) / found;
const min = Number(values.min);
console.log(
  `coverage: ${total.toFixed(2)}% of ${found} lines in contracts/ (mocks and verifiers excluded); minimum ${min}%`,
);
if (total < min) process.exit(1);
