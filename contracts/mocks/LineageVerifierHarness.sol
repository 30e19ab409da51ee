// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Lineage20Verifier} from "../verifiers/Lineage20Verifier.sol";
import {LineageBatchVerifier} from "../verifiers/LineageBatchVerifier.sol";
import {LINEAGE_BATCH_SIZE} from "../interfaces/ILineageRegistry.sol";

/// @title LineageVerifierHarness
/// @notice Test-only: the generated lineage verifier libraries behind snarkjs's usual
/// `verifyProof(a, b, c, publicSignals)` shape, so circuit tests can check proofs on the EVM without
/// anchoring their roots first. Production code goes through LineageRegistry.
contract LineageVerifierHarness {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[3] calldata signals
    ) external view returns (bool) {
        if (signals[0] >= Lineage20Verifier.SCALAR_FIELD) return false;
        (uint256 x, uint256 y) = Lineage20Verifier.rootTerm(signals[0]);
        return Lineage20Verifier.verify(a, b, c, x, y, [signals[1], signals[2]]);
    }

    function verifyBatchProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[2 * LINEAGE_BATCH_SIZE + 1] calldata signals
    ) external view returns (bool) {
        if (signals[0] >= LineageBatchVerifier.SCALAR_FIELD) return false;
        uint256[2 * LINEAGE_BATCH_SIZE] memory inputs;
        for (uint256 i = 0; i < inputs.length; ++i) inputs[i] = signals[i + 1];
        (uint256 x, uint256 y) = LineageBatchVerifier.rootTerm(signals[0]);
        return LineageBatchVerifier.verify(a, b, c, x, y, inputs);
    }
}
