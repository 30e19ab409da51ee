pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "./merkle.circom";

// LineageCommitment(): the leaf that node/src/lineage/ inserts into the lineage tree for one
// task execution (see node/src/lineage/record.ts, which computes the same value with circomlibjs).
//
//   commitment = Poseidon(taskId, agentDidHash, inputSetHash, outputHash, parentCommitment, time)
//
// Every field is a BN254 scalar. The four hashes are sha256 digests shifted right by 8 bits (248
// bits, so always < p); parentCommitment is the commitment of the record this one continues, or 0
// for a first record; time is the execution's completion time in Unix seconds.
//
// `time` is range-checked to 64 bits. Without the check, time and time + p would be two encodings
// of one record in JS (where the record builder also rejects them) and a value near p would be
// accepted as a "time". The hashes need no range check: any field element is a valid digest
// encoding, and the JS side rejects non-canonical ones (≥ p) before hashing.
template LineageCommitment() {
    signal input taskId;
    signal input agentDidHash;
    signal input inputSetHash;
    signal input outputHash;
    signal input parentCommitment;
    signal input time;
    signal output commitment;

    component timeBits = Num2Bits(64);
    timeBits.in <== time;

    component hasher = Poseidon(6);
    hasher.inputs[0] <== taskId;
    hasher.inputs[1] <== agentDidHash;
    hasher.inputs[2] <== inputSetHash;
    hasher.inputs[3] <== outputHash;
    hasher.inputs[4] <== parentCommitment;
    hasher.inputs[5] <== time;
    commitment <== hasher.out;
}

// LineageMembership(DEPTH): one record is committed in the tree with root `root`.
//
// The record's output hash and agent DID hash are inputs of this template so that the caller can
// bind them to public signals; every other field and the path stay private. It checks, in order:
//   1. the commitment recomputed from the six fields is not 0 (0 marks an empty slot);
//   2. hashing the commitment up the path gives `root`.
// Because outputHash and agentDidHash enter the commitment, a proof made for one agent's record
// does not verify under another agent's DID hash, and no output can be swapped in.
template LineageMembership(DEPTH) {
    signal input root;
    signal input outputHash;
    signal input agentDidHash;

    signal input taskId;
    signal input inputSetHash;
    signal input parentCommitment;
    signal input time;
    signal input pathElements[DEPTH];
    signal input pathIndices[DEPTH];

    component record = LineageCommitment();
    record.taskId <== taskId;
    record.agentDidHash <== agentDidHash;
    record.inputSetHash <== inputSetHash;
    record.outputHash <== outputHash;
    record.parentCommitment <== parentCommitment;
    record.time <== time;

    // 1. Leaf 0 is never a member.
    component nonZero = NonZero();
    nonZero.in <== record.commitment;

    // 2. The commitment sits in the tree under `root`.
    component tree = MerkleInclusion(DEPTH);
    tree.leaf <== record.commitment;
    for (var i = 0; i < DEPTH; i++) {
        tree.pathElements[i] <== pathElements[i];
        tree.pathIndices[i] <== pathIndices[i];
    }
    tree.root === root;
}
