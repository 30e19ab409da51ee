// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAnchorAuthority} from "./interfaces/IAnchorAuthority.sol";
import {ILineageRegistry, LINEAGE_BATCH_SIZE} from "./interfaces/ILineageRegistry.sol";
import {Lineage20Verifier} from "./verifiers/Lineage20Verifier.sol";
import {LineageBatchVerifier} from "./verifiers/LineageBatchVerifier.sol";

/// @title LineageRegistry
/// @notice Keeps the history of anchored lineage roots and verifies Groth16 proofs of lineage records
/// against them, with the verifiers generated from circuits/lineage20.circom and
/// circuits/lineage20batch.circom.
/// @dev Who may anchor is decided by an IAnchorAuthority (ReputationStaking for staked operators, or
/// the TaskEscrow), fixed at deployment. The verifiers are libraries compiled into this contract: a
/// new circuit means a new registry, so a root's proofs never change meaning.
///
/// Anchoring a root also stores its share of a single-record proof's verification (the point
/// IC_0 + root·IC_1, see Lineage20Verifier.rootTerm): every audit against that root then reads it
/// (two storage slots) instead of paying an elliptic-curve multiplication and addition.
contract LineageRegistry is ILineageRegistry {
    /// @notice The BN254 scalar field size: roots and hashes are below it.
    uint256 public constant FIELD_SIZE = Lineage20Verifier.SCALAR_FIELD;

    /// @dev A point of BN254's G1; (0, 0) is the point at infinity.
    struct G1Point {
        uint256 x;
        uint256 y;
    }

    IAnchorAuthority private immutable _authority;

    mapping(uint256 root => Anchor) private _anchors;
    /// @dev Lineage20Verifier.rootTerm(root) of every anchored root; (0, 0) for the others.
    mapping(uint256 root => G1Point) private _rootTerms;
    uint256[] private _roots;

    constructor(IAnchorAuthority authority_) {
        if (address(authority_) == address(0)) revert LineageRegistryZeroAddress();
        _authority = authority_;
    }

    /// @notice The contract that says who may anchor.
    function authority() external view returns (IAnchorAuthority) {
        return _authority;
    }

    /// @inheritdoc ILineageRegistry
    function anchorRoot(uint256 root, uint64 leafCount) external {
        if (!_authority.isAuthorisedAnchorer(msg.sender))
            revert LineageRegistryUnauthorisedAnchorer(msg.sender);
        if (root == 0 || root >= FIELD_SIZE) revert LineageRegistryInvalidRoot(root);
        uint64 anchoredIn = _anchors[root].blockNumber;
        if (anchoredIn != 0) revert LineageRegistryRootAlreadyAnchored(root, anchoredIn);

        _anchors[root] = Anchor({
            blockNumber: uint64(block.number),
            timestamp: uint64(block.timestamp),
            leafCount: leafCount,
            anchorer: msg.sender
        });
        (uint256 x, uint256 y) = Lineage20Verifier.rootTerm(root);
        // IC_0 + root·IC_1 = ∞ only for one root in 2^254: such a root cannot be told from an unanchored one.
        if (x == 0 && y == 0) revert LineageRegistryInvalidRoot(root);
        _rootTerms[root] = G1Point(x, y);
        _roots.push(root);
        emit RootAnchored(root, msg.sender, leafCount, _roots.length - 1);
    }

    /// @inheritdoc ILineageRegistry
    function isAnchored(uint256 root) public view returns (bool) {
        return _anchors[root].blockNumber != 0;
    }

    /// @inheritdoc ILineageRegistry
    function anchorOf(uint256 root) external view returns (Anchor memory) {
        _requireAnchored(root);
        return _anchors[root];
    }

    /// @inheritdoc ILineageRegistry
    function rootCount() external view returns (uint256) {
        return _roots.length;
    }

    /// @inheritdoc ILineageRegistry
    function rootAt(uint256 index) external view returns (uint256) {
        if (index >= _roots.length) revert LineageRegistryRootIndexOutOfRange(index, _roots.length);
        return _roots[index];
    }

    /// @inheritdoc ILineageRegistry
    function verifyLineage(
        Proof calldata proof,
        uint256 root,
        uint256 outputHash,
        uint256 agentDidHash
    ) public view returns (bool) {
        G1Point storage term = _rootTerms[root];
        (uint256 x, uint256 y) = (term.x, term.y);
        if (x == 0 && y == 0) revert LineageRegistryRootNotAnchored(root);
        return Lineage20Verifier.verify(proof.a, proof.b, proof.c, x, y, [outputHash, agentDidHash]);
    }

    /// @inheritdoc ILineageRegistry
    function auditLineage(
        Proof calldata proof,
        uint256 root,
        uint256 outputHash,
        uint256 agentDidHash
    ) external {
        if (!verifyLineage(proof, root, outputHash, agentDidHash)) {
            revert LineageRegistryInvalidProof(root, outputHash, agentDidHash);
        }
        emit LineageAudited(root, agentDidHash, outputHash, msg.sender);
    }

    /// @inheritdoc ILineageRegistry
    function verifyLineageBatch(
        Proof calldata proof,
        uint256 root,
        uint256[LINEAGE_BATCH_SIZE] calldata outputHashes,
        uint256[LINEAGE_BATCH_SIZE] calldata agentDidHashes
    ) public view returns (bool) {
        _requireAnchored(root);
        uint256[2 * LINEAGE_BATCH_SIZE] memory inputs;
        for (uint256 j = 0; j < LINEAGE_BATCH_SIZE; ++j) {
            inputs[j] = outputHashes[j];
            inputs[LINEAGE_BATCH_SIZE + j] = agentDidHashes[j];
        }
        (uint256 x, uint256 y) = LineageBatchVerifier.rootTerm(root);
        return LineageBatchVerifier.verify(proof.a, proof.b, proof.c, x, y, inputs);
    }

    /// @inheritdoc ILineageRegistry
    function auditLineageBatch(
        Proof calldata proof,
        uint256 root,
        uint256[LINEAGE_BATCH_SIZE] calldata outputHashes,
        uint256[LINEAGE_BATCH_SIZE] calldata agentDidHashes
    ) external {
        if (!verifyLineageBatch(proof, root, outputHashes, agentDidHashes)) {
            revert LineageRegistryInvalidBatchProof(root);
        }
        emit LineageBatchAudited(root, msg.sender, outputHashes, agentDidHashes);
    }

    function _requireAnchored(uint256 root) private view {
        if (!isAnchored(root)) revert LineageRegistryRootNotAnchored(root);
    }
}
