// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IUTIDRegistry
/// @notice Unique tamper-proof IDs (UTIDs) for agent capsules: soulbound ERC-721 tokens (ERC-5192, always
/// locked). A UTID's id is `uint256(keccak256(abi.encode(chainId, registry, ownerAgentId, manifestHash,
/// version)))`; it stores the manifest hash, a CID, a lineage root and, for a new version, its parent.
/// The owner or governance (`REVOKER_ROLE`, the timelock) can revoke a UTID; nobody can transfer one.
interface IUTIDRegistry {
    struct UTID {
        uint256 agentId;
        bytes32 manifestHash;
        bytes32 lineageRoot;
        uint256 parent;
        uint32 version;
        bool revoked;
        string cid;
    }

    event UTIDMinted(
        uint256 indexed utid,
        uint256 indexed agentId,
        bytes32 manifestHash,
        uint32 version,
        uint256 parent,
        string cid,
        bytes32 lineageRoot
    );
    event UTIDRevoked(uint256 indexed utid, address indexed by);

    error UTIDRegistryNotAgentOwner(uint256 agentId, address caller);
    error UTIDRegistryExists(uint256 utid);
    error UTIDRegistryUnknown(uint256 utid);
    error UTIDRegistryInvalidParent(uint256 parent, uint256 agentId);
    error UTIDRegistryInvalidManifest();
    error UTIDRegistryRevoked(uint256 utid);
    error UTIDRegistryUnauthorized(uint256 utid, address caller);
    error UTIDRegistrySoulbound(uint256 utid);

    /// @notice Mints a UTID for agent `agentId` to the agent's owner (caller: the owner or an approved operator).
    /// `parent` is 0 for version 1, or a non-revoked UTID of the same agent for the next version.
    function mint(
        uint256 agentId,
        bytes32 manifestHash,
        string calldata cid,
        bytes32 lineageRoot,
        uint256 parent
    ) external returns (uint256 utid);

    /// @notice Revokes a UTID for good. Its owner or `REVOKER_ROLE` only.
    function revoke(uint256 utid) external;

    function utidOf(uint256 utid) external view returns (UTID memory);

    function isValid(uint256 utid) external view returns (bool);

    /// @notice The id a mint with these values would get.
    function computeId(uint256 agentId, bytes32 manifestHash, uint32 version) external view returns (uint256);
}
