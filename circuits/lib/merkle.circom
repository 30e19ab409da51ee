pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";

// MerkleInclusion(DEPTH): recomputes the root of a binary Poseidon Merkle tree from a leaf and
// its authentication path.
//
// The tree is the one node/src/lineage/ keeps (and circomlibjs hashes): an inner node is
// Poseidon(left, right); an empty slot is the field element 0. `pathIndices[i]` says on which
// side the running hash sits at level i: 0 = it is the left child, 1 = it is the right child.
// Read together, the bits are the leaf's index, least significant bit first.
//
// Cost: DEPTH × (Poseidon(2) ≈ 240 constraints + 1 for the selector + 1 for the bit check).
template MerkleInclusion(DEPTH) {
    signal input leaf;
    signal input pathElements[DEPTH];
    signal input pathIndices[DEPTH];
    signal output root;

    signal levels[DEPTH + 1];
    signal left[DEPTH];
    signal right[DEPTH];
    component hashers[DEPTH];

    levels[0] <== leaf;
    for (var i = 0; i < DEPTH; i++) {
        // Each index bit must be 0 or 1; anything else would mix the two children.
        pathIndices[i] * (1 - pathIndices[i]) === 0;

        // Order the pair with a single multiplication:
        //   bit 0: left = levels[i],       right = pathElements[i]
        //   bit 1: left = pathElements[i], right = levels[i]
        left[i] <== levels[i] + pathIndices[i] * (pathElements[i] - levels[i]);
        right[i] <== levels[i] + pathElements[i] - left[i];

        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== left[i];
        hashers[i].inputs[1] <== right[i];
        levels[i + 1] <== hashers[i].out;
    }

    root <== levels[DEPTH];
}

// NonZero(): constrains `in` to be a non-zero field element.
//
// Empty tree slots hold 0, so a zero leaf "belongs" to every tree at every free index. The prover
// supplies the inverse of `in`; `in * inverse === 1` has no solution when `in` is 0.
template NonZero() {
    signal input in;
    signal inverse;

    inverse <-- in != 0 ? 1 / in : 0;
    in * inverse === 1;
}
