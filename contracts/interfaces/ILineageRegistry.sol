// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev Records per batch proof: K of circuits/lineage20batch.circom (BATCH_SIZE in node/src/lineage/circuits.ts).
uint256 constant LINEAGE_BATCH_SIZE = 16;

/// @title ILineageRegistry
/// @notice Anchors the roots of Ainur's lineage trees and verifies zero-knowledge proofs that a
/// record (task, agent, inputs, output, parent, time) is committed under an anchored root.
/// @dev Roots, output hashes and DID hashes are BN254 scalar field elements (< FIELD_SIZE). A proof
/// binds the root, the output hash and the agent's DID hash; everything else in the record stays
/// private. See circuits/lib/lineage.circom.
interface ILineageRegistry {
    /// @notice A Groth16 proof as snarkjs's Solidity calldata gives it (b with its coordinates swapped).
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice When and by whom a root was anchored.
    struct Anchor {
        uint64 blockNumber;
        uint64 timestamp;
        uint64 leafCount;
        address anchorer;
    }

    /// @notice Emitted when `root`, the root of a tree of `leafCount` records, is anchored by `anchorer`;
    /// `index` is its position in the history.
    event RootAnchored(uint256 indexed root, address indexed anchorer, uint64 leafCount, uint256 index);

    /// @notice Emitted when `auditor` verified, in a transaction, that a record with output `outputHash`
    /// made by the agent `agentDidHash` is committed under the anchored `root`.
    event LineageAudited(
        uint256 indexed root,
        uint256 indexed agentDidHash,
        uint256 outputHash,
        address indexed auditor
    );

    /// @notice Emitted when `auditor` verified a batch proof of LINEAGE_BATCH_SIZE records under `root`.
    event LineageBatchAudited(
        uint256 indexed root,
        address indexed auditor,
        uint256[LINEAGE_BATCH_SIZE] outputHashes,
        uint256[LINEAGE_BATCH_SIZE] agentDidHashes
    );

    /// @notice `account` is not an authorised anchorer (a staked operator or the escrow).
    error LineageRegistryUnauthorisedAnchorer(address account);

    /// @notice `root` is 0 (the empty tree's slot value) or not below the field size.
    error LineageRegistryInvalidRoot(uint256 root);

    /// @notice `root` was already anchored, in block `blockNumber`.
    error LineageRegistryRootAlreadyAnchored(uint256 root, uint64 blockNumber);

    /// @notice A proof was checked against `root`, which was never anchored.
    error LineageRegistryRootNotAnchored(uint256 root);

    /// @notice The proof does not show a record with `outputHash` by `agentDidHash` under `root`.
    error LineageRegistryInvalidProof(uint256 root, uint256 outputHash, uint256 agentDidHash);

    /// @notice The batch proof does not show its records under `root`.
    error LineageRegistryInvalidBatchProof(uint256 root);

    /// @notice `index` is past the end of the root history (`count` roots).
    error LineageRegistryRootIndexOutOfRange(uint256 index, uint256 count);

    /// @notice A constructor argument was the zero address.
    error LineageRegistryZeroAddress();

    /// @notice Anchors `root`, the root of a lineage tree holding `leafCount` records. Authorised
    /// anchorers only (see IAnchorAuthority).
    function anchorRoot(uint256 root, uint64 leafCount) external;

    /// @notice Whether `root` was anchored.
    function isAnchored(uint256 root) external view returns (bool);

    /// @notice The anchor of `root`; reverts with LineageRegistryRootNotAnchored if there is none.
    function anchorOf(uint256 root) external view returns (Anchor memory);

    /// @notice Number of roots anchored so far.
    function rootCount() external view returns (uint256);

    /// @notice The `index`-th anchored root (0 = the first).
    function rootAt(uint256 index) external view returns (uint256);

    /// @notice Whether `proof` shows a record with `outputHash` by `agentDidHash` under `root`.
    /// Reverts with LineageRegistryRootNotAnchored if `root` was never anchored.
    function verifyLineage(
        Proof calldata proof,
        uint256 root,
        uint256 outputHash,
        uint256 agentDidHash
    ) external view returns (bool);

    /// @notice verifyLineage as a transaction: emits LineageAudited, or reverts with
    /// LineageRegistryInvalidProof (or LineageRegistryRootNotAnchored).
    function auditLineage(
        Proof calldata proof,
        uint256 root,
        uint256 outputHash,
        uint256 agentDidHash
    ) external;

    /// @notice Whether `proof` shows LINEAGE_BATCH_SIZE records (one window of the tree), record j with output `outputHashes[j]` by
    /// `agentDidHashes[j]`, under `root`. Reverts with LineageRegistryRootNotAnchored if `root` was
    /// never anchored.
    function verifyLineageBatch(
        Proof calldata proof,
        uint256 root,
        uint256[LINEAGE_BATCH_SIZE] calldata outputHashes,
        uint256[LINEAGE_BATCH_SIZE] calldata agentDidHashes
    ) external view returns (bool);

    /// @notice verifyLineageBatch as a transaction: emits LineageBatchAudited, or reverts with
    /// LineageRegistryInvalidBatchProof (or LineageRegistryRootNotAnchored).
    function auditLineageBatch(
        Proof calldata proof,
        uint256 root,
        uint256[LINEAGE_BATCH_SIZE] calldata outputHashes,
        uint256[LINEAGE_BATCH_SIZE] calldata agentDidHashes
    ) external;
}
