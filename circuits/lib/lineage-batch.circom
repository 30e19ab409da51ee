pragma circom 2.1.6;

include "./lineage.circom";

// LineageRecordInWindow(WINDOW): one record's commitment hashed up to the root of its window, the
// aligned subtree of 2^WINDOW leaves that contains it.
//
// It checks the same things LineageMembership does for the lower WINDOW levels:
//   1. the commitment recomputed from the six fields is not 0;
//   2. hashing it up `pathElements` (WINDOW levels) gives `windowRoot`.
// The caller ties windowRoot to the tree root with the levels above the window.
template LineageRecordInWindow(WINDOW) {
    signal input outputHash;
    signal input agentDidHash;
    signal input taskId;
    signal input inputSetHash;
    signal input parentCommitment;
    signal input time;
    signal input pathElements[WINDOW];
    signal input pathIndices[WINDOW];
    signal output windowRoot;

    component record = LineageCommitment();
    record.taskId <== taskId;
    record.agentDidHash <== agentDidHash;
    record.inputSetHash <== inputSetHash;
    record.outputHash <== outputHash;
    record.parentCommitment <== parentCommitment;
    record.time <== time;

    component nonZero = NonZero();
    nonZero.in <== record.commitment;

    component window = MerkleInclusion(WINDOW);
    window.leaf <== record.commitment;
    for (var i = 0; i < WINDOW; i++) {
        window.pathElements[i] <== pathElements[i];
        window.pathIndices[i] <== pathIndices[i];
    }
    windowRoot <== window.root;
}
