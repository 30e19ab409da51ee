pragma circom 2.1.6;

include "./lib/lineage.circom";

// LineageBatch(DEPTH, K): K lineage records, all in the tree with one public root, in one proof.
// An audit that covers K outputs then pays for one pairing check instead of K, so the on-chain cost
// per record falls to roughly (verifier base + 2 public inputs × K) / K.
//
// Public inputs, in this order:
//   0.          root
//   1 .. K:     outputHash[0..K-1]
//   K+1 .. 2K:  agentDidHash[0..K-1]
// Record j is proven exactly as in lineage20.circom (LineageMembership). The records need not be
// distinct: to prove fewer than K records, repeat one of them.
//
// K = 8 needs ≈ 42k constraints, so its keys come from a 2^16 powers-of-tau file
// (see scripts/circuits/config.ts).
template LineageBatch(DEPTH, K) {
    signal input root;
    signal input outputHash[K];
    signal input agentDidHash[K];

    signal input taskId[K];
    signal input inputSetHash[K];
    signal input parentCommitment[K];
    signal input time[K];
    signal input pathElements[K][DEPTH];
    signal input pathIndices[K][DEPTH];

    component members[K];
    for (var j = 0; j < K; j++) {
        members[j] = LineageMembership(DEPTH);
        members[j].root <== root;
        members[j].outputHash <== outputHash[j];
        members[j].agentDidHash <== agentDidHash[j];
        members[j].taskId <== taskId[j];
        members[j].inputSetHash <== inputSetHash[j];
        members[j].parentCommitment <== parentCommitment[j];
        members[j].time <== time[j];
        for (var i = 0; i < DEPTH; i++) {
            members[j].pathElements[i] <== pathElements[j][i];
            members[j].pathIndices[i] <== pathIndices[j][i];
        }
    }
}

component main {public [root, outputHash, agentDidHash]} = LineageBatch(20, 8);
