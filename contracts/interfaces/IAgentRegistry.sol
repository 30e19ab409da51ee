// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IAgentRegistry
/// @notice Agent identities: one ERC-721 token per agent (`agentId`), compatible with the ERC-8004 Identity
/// Registry (`register`, `setAgentURI`, `getMetadata`/`setMetadata`, `setAgentWallet`/`getAgentWallet`/
/// `unsetAgentWallet`, and its `Registered`, `URIUpdated` and `MetadataSet` events), plus the Ainur DID
/// document `did:ainur:<chainId>:<agentId>`: a controller that can recover the DID, signing keys that can be
/// rotated and revoked, capability tags, zones, an endpoint and a metadata CID. Deactivation is final.
interface IAgentRegistry {
    /// @notice ERC-8004 metadata entry.
    struct MetadataEntry {
        string metadataKey;
        bytes metadataValue;
    }

    /// @notice State of a signing key.
    enum KeyState {
        None,
        Active,
        Revoked
    }

    // ERC-8004 events
    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy);
    event MetadataSet(
        uint256 indexed agentId,
        string indexed indexedMetadataKey,
        string metadataKey,
        bytes metadataValue
    );

    // Ainur DID events
    event ControllerChanged(uint256 indexed agentId, address oldController, address newController);
    event AgentRecovered(uint256 indexed agentId, address indexed oldOwner, address indexed newOwner);
    event SigningKeyAdded(uint256 indexed agentId, bytes32 indexed key);
    event SigningKeyRevoked(uint256 indexed agentId, bytes32 indexed key);
    event CapabilityAdded(uint256 indexed agentId, bytes32 indexed capability);
    event CapabilityRemoved(uint256 indexed agentId, bytes32 indexed capability);
    event ZoneAdded(uint256 indexed agentId, bytes32 indexed zone);
    event ZoneRemoved(uint256 indexed agentId, bytes32 indexed zone);
    event ProfileUpdated(uint256 indexed agentId, string endpoint, string metadataCid);
    event AgentDeactivated(uint256 indexed agentId);

    error AgentRegistryUnauthorized(uint256 agentId, address caller);
    error AgentRegistryUnknownAgent(uint256 agentId);
    error AgentRegistryDeactivated(uint256 agentId);
    error AgentRegistryReservedKey(string metadataKey);
    error AgentRegistryInvalidWallet(address wallet);
    error AgentRegistryDeadlineExpired(uint256 deadline, uint256 now_);
    error AgentRegistryDeadlineTooFar(uint256 deadline, uint256 latest);
    error AgentRegistryInvalidWalletSignature(uint256 agentId, address wallet);
    error AgentRegistryKeyExists(uint256 agentId, bytes32 key, KeyState state);
    error AgentRegistryKeyNotActive(uint256 agentId, bytes32 key, KeyState state);
    error AgentRegistryInvalidKey(bytes32 key);
    error AgentRegistryInvalidOwner(address newOwner);

    // ----- ERC-8004 -----

    /// @notice Registers an agent owned by the caller, with no URI. The caller is its agent wallet.
    function register() external returns (uint256 agentId);

    /// @notice Registers an agent owned by the caller with `agentURI` (its registration file).
    function register(string calldata agentURI) external returns (uint256 agentId);

    /// @notice Registers an agent with a URI and metadata entries (the key `agentWallet` is reserved).
    function register(
        string calldata agentURI,
        MetadataEntry[] calldata metadata
    ) external returns (uint256 agentId);

    /// @notice Sets the agent's registration-file URI (also its ERC-721 `tokenURI`). Owner or approved only.
    function setAgentURI(uint256 agentId, string calldata newURI) external;

    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory);

    /// @notice Sets a metadata entry. Owner or approved only; `agentWallet` is reserved.
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external;

    /// @notice Sets the agent wallet to `newWallet`, which proves control with an EIP-712 signature of
    /// `AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)` (or ERC-1271 for a
    /// contract wallet). `deadline` must be at most 5 minutes ahead. Owner or approved only.
    function setAgentWallet(
        uint256 agentId,
        address newWallet,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The agent wallet: the registrant at registration, cleared on every transfer.
    function getAgentWallet(uint256 agentId) external view returns (address);

    /// @notice Clears the agent wallet. Owner or approved only.
    function unsetAgentWallet(uint256 agentId) external;

    // ----- Ainur DID -----

    /// @notice `did:ainur:<chainId>:<agentId>`.
    function didOf(uint256 agentId) external view returns (string memory);

    /// @notice The operator that stakes for and is paid for the agent: its wallet, or its owner if unset.
    /// Zero for an unknown agent.
    function operatorOf(uint256 agentId) external view returns (address);

    /// @notice The controller: it can recover the DID (move it to a new owner). Defaults to the owner.
    function controllerOf(uint256 agentId) external view returns (address);

    function setController(uint256 agentId, address newController) external;

    /// @notice Moves the agent to `newOwner`. Controller only (for a lost owner key).
    function recover(uint256 agentId, address newOwner) external;

    /// @notice Adds a signing key (an ed25519 public key, or the hash of another key type).
    function addSigningKey(uint256 agentId, bytes32 key) external;

    /// @notice Revokes a signing key for good.
    function revokeSigningKey(uint256 agentId, bytes32 key) external;

    /// @notice Revokes `oldKey` and adds `newKey` in one step.
    function rotateSigningKey(uint256 agentId, bytes32 oldKey, bytes32 newKey) external;

    function signingKeyState(uint256 agentId, bytes32 key) external view returns (KeyState);

    /// @notice Adds and removes capability tags (indexed events let nodes index agents by capability).
    function updateCapabilities(
        uint256 agentId,
        bytes32[] calldata added,
        bytes32[] calldata removed
    ) external;

    function hasCapability(uint256 agentId, bytes32 capability) external view returns (bool);

    /// @notice Adds and removes jurisdiction zones.
    function updateZones(uint256 agentId, bytes32[] calldata added, bytes32[] calldata removed) external;

    function inZone(uint256 agentId, bytes32 zone) external view returns (bool);

    /// @notice Sets the endpoint and the metadata CID.
    function updateProfile(uint256 agentId, string calldata endpoint, string calldata metadataCid) external;

    function profileOf(
        uint256 agentId
    ) external view returns (string memory endpoint, string memory metadataCid);

    /// @notice Deactivates the agent for good: no more updates, and `isActive` turns false.
    function deactivate(uint256 agentId) external;

    function isActive(uint256 agentId) external view returns (bool);

    function totalAgents() external view returns (uint256);
}
