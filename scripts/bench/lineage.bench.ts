/**
 * `lineage.tree.insert_per_s`: records appended to the durable Poseidon tree (node:sqlite in a temp
 * file, one transaction per record, as LineageService.commit does), with the root recomputed every 64
 * records (the default anchoring batch), over 20,000 records.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { buildPoseidon } from "circomlibjs";
import { PoseidonTree } from "../../node/src/lineage/index.ts";
import type { BenchSuite } from "./types.ts";

const RECORDS = 20_000;
const ANCHOR_EVERY = 64;

const suite: BenchSuite = {
  name: "lineage",
  ids: ["lineage.tree.insert_per_s"],
  async run() {
    const poseidon = await buildPoseidon();
    const hash = (l: bigint, r: bigint): bigint => poseidon.F.toObject(poseidon([l, r]));
    const leaves = Array.from({ length: RECORDS }, (_, i) => poseidon.F.toObject(poseidon([BigInt(i + 1)])));
    const dir = mkdtempSync(path.join(tmpdir(), "ainur-bench-tree-"));
    try {
      const db = new DatabaseSync(path.join(dir, "tree.sqlite"));
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
      const tree = new PoseidonTree({ db, hash });
      const started = performance.now();
      for (let i = 0; i < RECORDS; i++) {
        tree.append(leaves[i]!);
        if ((i + 1) % ANCHOR_EVERY === 0) tree.root();
      }
      tree.root();
      const seconds = (performance.now() - started) / 1000;
      db.close();
      return [
        { id: "lineage.tree.insert_per_s", value: RECORDS / seconds, unit: "records/s", better: "higher" },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default suite;
