pragma circom 2.1.6;

include "./lib/lineage.circom";

// Lineage(DEPTH): an auditor's proof that an output came from a given agent, inside a lineage
// record committed in an anchored tree, without revealing the task, the inputs, the parent record,
// the time or the record's position.
//
// Public inputs, in this order (the order of the verifier's `_pubSignals`):
//   0. root          the lineage tree root, checked on-chain against LineageRegistry's anchors;
//   1. outputHash    the output the auditor holds;
//   2. agentDidHash  the agent the auditor claims produced it.
// Private inputs: the record's other fields and its Merkle path (see lib/lineage.circom).
template Lineage(DEPTH) {
    signal input root;
    signal input outputHash;
    signal input agentDidHash;

    signal input taskId;
    signal input inputSetHash;
    signal input parentCommitment;
    signal input time;
    signal input pathElements[DEPTH];
    signal input pathIndices[DEPTH];

    component member = LineageMembership(DEPTH);
    member.root <== root;
    member.outputHash <== outputHash;
    member.agentDidHash <== agentDidHash;
    member.taskId <== taskId;
    member.inputSetHash <== inputSetHash;
    member.parentCommitment <== parentCommitment;
    member.time <== time;
    for (var i = 0; i < DEPTH; i++) {
        member.pathElements[i] <== pathElements[i];
        member.pathIndices[i] <== pathIndices[i];
    }
}

component main {public [root, outputHash, agentDidHash]} = Lineage(20);
