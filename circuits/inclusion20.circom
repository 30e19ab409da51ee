pragma circom 2.1.6;

include "./lib/merkle.circom";

// Inclusion(DEPTH): proves knowledge of a non-zero leaf, and of its path, in the Poseidon Merkle
// tree whose root is public. This is the foundation circuit: the smallest useful statement that
// exercises circom, circomlib's Poseidon, the Groth16 setup and the generated Solidity verifier.
//
// Public input:  root.
// Private input: leaf, pathElements[DEPTH], pathIndices[DEPTH].
template Inclusion(DEPTH) {
    signal input root;
    signal input leaf;
    signal input pathElements[DEPTH];
    signal input pathIndices[DEPTH];

    // 1. An empty slot (0) is never a member.
    component nonZero = NonZero();
    nonZero.in <== leaf;

    // 2. Hash the leaf up the tree and compare with the public root.
    component tree = MerkleInclusion(DEPTH);
    tree.leaf <== leaf;
    for (var i = 0; i < DEPTH; i++) {
        tree.pathElements[i] <== pathElements[i];
        tree.pathIndices[i] <== pathIndices[i];
    }
    tree.root === root;
}

component main {public [root]} = Inclusion(20);
