// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAnchorAuthority} from "./interfaces/IAnchorAuthority.sol";
import {
    ILineageBatchVerifier,
    ILineageRegistry,
    ILineageVerifier,
    LINEAGE_BATCH_SIZE
} from "./interfaces/ILineageRegistry.sol";

/// @title LineageRegistry
/// @notice Keeps the history of anchored lineage roots and verifies Groth16 proofs of lineage records
/// against them, with the verifiers generated from circuits/lineage20.circom and
/// circuits/lineage20batch.circom.
/// @dev Who may anchor is decided by an IAnchorAuthority (ReputationStaking for staked operators, or
/// the TaskEscrow). The authority and the verifiers are fixed at deployment: a new circuit means a new
/// registry, so a root's proofs never change meaning.
contract LineageRegistry is ILineageRegistry {
    /// @notice The BN254 scalar field size: roots and hashes are below it.
    uint256 public constant FIELD_SIZE =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    IAnchorAuthority private immutable _authority;
    ILineageVerifier private immutable _verifier;
    ILineageBatchVerifier private immutable _batchVerifier;

    mapping(uint256 root => Anchor) private _anchors;
    uint256[] private _roots;

    constructor(
        IAnchorAuthority authority_,
        ILineageVerifier verifier_,
        ILineageBatchVerifier batchVerifier_
    ) {
        if (
            address(authority_) == address(0) ||
            address(verifier_) == address(0) ||
            address(batchVerifier_) == address(0)
        ) {
            revert LineageRegistryZeroAddress();
        }
        _authority = authority_;
        _verifier = verifier_;
        _batchVerifier = batchVerifier_;
    }

    /// @notice The contract that says who may anchor.
    function authority() external view returns (IAnchorAuthority) {
        return _authority;
    }

    /// @notice The single-record verifier.
    function verifier() external view returns (ILineageVerifier) {
        return _verifier;
    }

    /// @notice The batch verifier (LINEAGE_BATCH_SIZE records per proof).
    function batchVerifier() external view returns (ILineageBatchVerifier) {
        return _batchVerifier;
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
        _requireAnchored(root);
        return _verifier.verifyProof(proof.a, proof.b, proof.c, [root, outputHash, agentDidHash]);
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
        uint256[2 * LINEAGE_BATCH_SIZE + 1] memory signals;
        signals[0] = root;
        for (uint256 j = 0; j < LINEAGE_BATCH_SIZE; ++j) {
            signals[1 + j] = outputHashes[j];
            signals[1 + LINEAGE_BATCH_SIZE + j] = agentDidHashes[j];
        }
        return _batchVerifier.verifyProof(proof.a, proof.b, proof.c, signals);
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
