/**
 * node/src/lineage/poseidon-tree.ts against an independent, obvious computation of the same tree
 * (test/circuits/fixtures.ts), including snapshots of earlier sizes, persistence across a restart,
 * recovery of unflushed appends, and the leaves it must refuse.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import { FIELD, LeafIndexError, PoseidonTree, ZeroLeafError } from "../../../node/src/lineage/index.ts";
import type { Hash2 } from "../../../node/src/lineage/index.ts";
import { hasher, merklePath, poseidon } from "../../circuits/fixtures.ts";

describe("lineage/PoseidonTree", function () {
  let hashN: (inputs: bigint[]) => bigint;
  let hash2: Hash2;
  let dir: string;

  before(async function () {
    hashN = hasher(await poseidon());
    hash2 = (l, r) => hashN([l, r]);
    dir = mkdtempSync(path.join(tmpdir(), "ainur-tree-"));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const leavesFor = (n: number, seed = 0): bigint[] =>
    Array.from({ length: n }, (_, i) => hashN([BigInt(seed * 1000 + i + 1)]));

  it("has the empty tree's root when empty", function () {
    const tree = new PoseidonTree({ db: new DatabaseSync(":memory:"), hash: hash2 });
    expect(tree.root()).to.equal(merklePath(hashN, [], 0, 20).root);
  });

  it("gives the same roots and paths as the obvious computation, at every size and for earlier snapshots", function () {
    const tree = new PoseidonTree({ db: new DatabaseSync(":memory:"), hash: hash2, depth: 6 });
    const leaves = leavesFor(13);
    for (let n = 1; n <= leaves.length; n++) {
      tree.append(leaves[n - 1]!);
      for (let size = 1; size <= n; size++) {
        for (const index of [0, size - 1, Math.floor(size / 2)]) {
          const expected = merklePath(hashN, leaves.slice(0, size), index, 6);
          const got = tree.proof(index, size);
          expect(got.root, `root at size ${size}`).to.equal(expected.root);
          expect(got.pathElements).to.deep.equal(expected.pathElements);
          expect(got.pathIndices).to.deep.equal(expected.pathIndices);
        }
      }
    }
  });

  it("matches the obvious computation for random batches of appends (fast-check, fixed seed)", function () {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }), (batches) => {
        const tree = new PoseidonTree({ db: new DatabaseSync(":memory:"), hash: hash2, depth: 5 });
        const all: bigint[] = [];
        batches.forEach((count, b) => {
          const batch = leavesFor(count, b + 1);
          tree.appendMany(batch);
          all.push(...batch);
          const index = all.length - 1;
          expect(tree.proof(index).root).to.equal(merklePath(hashN, all, index, 5).root);
        });
      }),
      { seed: 20261122, numRuns: 25 },
    );
  });

  it("survives a restart, including appends that were never flushed", function () {
    const file = path.join(dir, "restart.sqlite");
    const leaves = leavesFor(10);
    let db = new DatabaseSync(file);
    let tree = new PoseidonTree({ db, hash: hash2 });
    tree.appendMany(leaves.slice(0, 6));
    const rootAt6 = tree.root(); // flushed at 6
    tree.appendMany(leaves.slice(6)); // 4 more, never flushed
    db.close();

    db = new DatabaseSync(file);
    tree = new PoseidonTree({ db, hash: hash2 });
    expect(tree.size).to.equal(10);
    expect(tree.root(6)).to.equal(rootAt6);
    expect(tree.root()).to.equal(merklePath(hashN, leaves, 0, 20).root);
    expect(tree.leaf(7)).to.equal(leaves[7]);
    db.close();
  });

  it("refuses to reopen a stored tree with another depth", function () {
    const file = path.join(dir, "depth.sqlite");
    const db = new DatabaseSync(file);
    new PoseidonTree({ db, hash: hash2, depth: 8 }).append(1n);
    expect(() => new PoseidonTree({ db, hash: hash2, depth: 20 })).to.throw(RangeError, /depth 8/);
    db.close();
  });

  it("refuses leaf 0, non-canonical leaves, bad indices and future snapshots", function () {
    const tree = new PoseidonTree({ db: new DatabaseSync(":memory:"), hash: hash2, depth: 4 });
    expect(() => tree.append(0n)).to.throw(ZeroLeafError);
    expect(() => tree.append(FIELD)).to.throw(/outside/);
    expect(() => tree.append(-1n)).to.throw(/outside/);
    tree.append(5n);
    expect(() => tree.proof(1))
      .to.throw(LeafIndexError)
      .with.property("size", 1);
    expect(() => tree.proof(0, 2)).to.throw(RangeError, /holds 1/);
    expect(tree.size, "a refused leaf is not stored").to.equal(1);
  });

  it("refuses to grow past 2^depth leaves", function () {
    const tree = new PoseidonTree({ db: new DatabaseSync(":memory:"), hash: hash2, depth: 2 });
    tree.appendMany([1n, 2n, 3n, 4n]);
    expect(() => tree.append(5n)).to.throw(/full \(4 leaves\)/);
  });
});
