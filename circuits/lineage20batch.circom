pragma circom 2.1.6;

include "./lib/lineage-batch.circom";

// LineageBatch(DEPTH, WINDOW, K): K lineage records, all under one public root, in one proof. An
// audit of K outputs then pays for one pairing check instead of K.
//
// The K records must lie in the same window: the aligned subtree of 2^WINDOW consecutive leaves
// (leaf indices that agree above bit WINDOW). That lets the levels above the window be proven once
// instead of K times: a record costs ≈ 404 + 245·WINDOW constraints instead of ≈ 5.3k, plus
// 245·(DEPTH - WINDOW) once. node/src/lineage/ refuses a batch whose records straddle two windows.
// To prove fewer than K records, repeat one of them.
//
// Sizes (constraints with --O2; the ptau needs 2^n > constraints + public inputs):
//   K = 2, WINDOW = 8:  7,614 → 2^13       K = 8, WINDOW = 4:  14,968 → 2^14
//   K = 8, WINDOW = 10: 25,132 → 2^15      K = 16, WINDOW = 5: 29,694 → 2^15
//   K = 8 without windows: 42,072 → 2^16
// We use K = 16, WINDOW = 5: up to 16 records among 32 consecutive aligned leaves (e.g. one or two
// anchoring batches), the largest K the 2^15 setup holds. On-chain, a proof costs the pairing check
// once plus one elliptic-curve multiplication per public input, so a larger K is cheaper per record.
// K and WINDOW are set in `component main` below; scripts/circuits/config.ts names the ptau,
// node/src/lineage/circuits.ts repeats them, and contracts/interfaces/ILineageRegistry.sol's
// LINEAGE_BATCH_SIZE must equal K.
//
// Public inputs, in this order:
//   0.          root
//   1 .. K:     outputHash[0..K-1]
//   K+1 .. 2K:  agentDidHash[0..K-1]
// Private inputs: every record's other fields and its path inside the window; the window's path
// to the root (shared).
template LineageBatch(DEPTH, WINDOW, K) {
    signal input root;
    signal input outputHash[K];
    signal input agentDidHash[K];

    signal input taskId[K];
    signal input inputSetHash[K];
    signal input parentCommitment[K];
    signal input time[K];
    signal input pathElements[K][WINDOW];
    signal input pathIndices[K][WINDOW];
    signal input windowPathElements[DEPTH - WINDOW];
    signal input windowPathIndices[DEPTH - WINDOW];

    // 1. Each record, hashed up to its window's root; all K must reach the same window root.
    component records[K];
    for (var j = 0; j < K; j++) {
        records[j] = LineageRecordInWindow(WINDOW);
        records[j].outputHash <== outputHash[j];
        records[j].agentDidHash <== agentDidHash[j];
        records[j].taskId <== taskId[j];
        records[j].inputSetHash <== inputSetHash[j];
        records[j].parentCommitment <== parentCommitment[j];
        records[j].time <== time[j];
        for (var i = 0; i < WINDOW; i++) {
            records[j].pathElements[i] <== pathElements[j][i];
            records[j].pathIndices[i] <== pathIndices[j][i];
        }
        if (j > 0) {
            records[j].windowRoot === records[0].windowRoot;
        }
    }

    // 2. The window's root sits in the tree under the public root.
    component upper = MerkleInclusion(DEPTH - WINDOW);
    upper.leaf <== records[0].windowRoot;
    for (var i = 0; i < DEPTH - WINDOW; i++) {
        upper.pathElements[i] <== windowPathElements[i];
        upper.pathIndices[i] <== windowPathIndices[i];
    }
    upper.root === root;
}

component main {public [root, outputHash, agentDidHash]} = LineageBatch(20, 5, 16);
