// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IAgentRegistry} from "./interfaces/IAgentRegistry.sol";

/// @title AgentRegistry
/// @notice Agent DIDs as ERC-721 tokens, compatible with ERC-8004's Identity Registry.
/// @dev Ids start at 1 (0 means "no agent"). The agent wallet is not written at registration: a stored
/// zero means "the owner, never transferred", which keeps `register()` cheap; every transfer stores the
/// `_WALLET_UNSET` sentinel, exactly as ERC-8004 clears the wallet on transfer.
contract AgentRegistry is IAgentRegistry, ERC721, EIP712 {
    using Strings for uint256;

    bytes32 private constant _AGENT_WALLET_SET_TYPEHASH = keccak256(
        "AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)"
    );
    uint256 private constant _MAX_DEADLINE_DELAY = 5 minutes;
    bytes32 private constant _RESERVED_WALLET_KEY = keccak256("agentWallet");
    address private constant _WALLET_UNSET = address(1);

    struct AgentState {
        address wallet; // 0: the owner (never transferred); _WALLET_UNSET: none
        bool deactivated;
    }

    uint256 private _lastId;
    mapping(uint256 agentId => AgentState) private _agents;
    mapping(uint256 agentId => address) private _controllers;
    mapping(uint256 agentId => string) private _uris;
    mapping(uint256 agentId => mapping(string key => bytes)) private _metadata;
    mapping(uint256 agentId => mapping(bytes32 key => KeyState)) private _keys;
    mapping(uint256 agentId => mapping(bytes32 capability => bool)) private _capabilities;
    mapping(uint256 agentId => mapping(bytes32 zone => bool)) private _zones;
    mapping(uint256 agentId => string) private _endpoints;
    mapping(uint256 agentId => string) private _metadataCids;

    constructor() ERC721("Ainur Agent", "AGENT") EIP712("Ainur AgentRegistry", "1") {}

    // ----- ERC-8004 registration -----

    /// @inheritdoc IAgentRegistry
    function register() external returns (uint256 agentId) {
        agentId = ++_lastId;
        emit Registered(agentId, "", msg.sender);
        _safeMint(msg.sender, agentId);
    }

    /// @inheritdoc IAgentRegistry
    function register(string calldata agentURI) external returns (uint256 agentId) {
        agentId = ++_lastId;
        _uris[agentId] = agentURI;
        emit Registered(agentId, agentURI, msg.sender);
        _safeMint(msg.sender, agentId);
    }

    /// @inheritdoc IAgentRegistry
    function register(
        string calldata agentURI,
        MetadataEntry[] calldata metadata
    ) external returns (uint256 agentId) {
        agentId = ++_lastId;
        _uris[agentId] = agentURI;
        emit Registered(agentId, agentURI, msg.sender);
        for (uint256 i; i < metadata.length; ++i) {
            _setMetadata(agentId, metadata[i].metadataKey, metadata[i].metadataValue);
        }
        _safeMint(msg.sender, agentId);
    }

    /// @inheritdoc IAgentRegistry
    function setAgentURI(uint256 agentId, string calldata newURI) external {
        _requireUpdatable(agentId);
        _uris[agentId] = newURI;
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    /// @inheritdoc IAgentRegistry
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory) {
        if (keccak256(bytes(metadataKey)) == _RESERVED_WALLET_KEY) {
            address wallet = _walletOf(agentId);
            return wallet == address(0) ? bytes("") : abi.encodePacked(wallet);
        }
        return _metadata[agentId][metadataKey];
    }

    /// @inheritdoc IAgentRegistry
    function setMetadata(
        uint256 agentId,
        string calldata metadataKey,
        bytes calldata metadataValue
    ) external {
        _requireUpdatable(agentId);
        _setMetadata(agentId, metadataKey, metadataValue);
    }

    /// @inheritdoc IAgentRegistry
    function setAgentWallet(
        uint256 agentId,
        address newWallet,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _requireUpdatable(agentId);
        if (newWallet == address(0) || newWallet == _WALLET_UNSET)
            revert AgentRegistryInvalidWallet(newWallet);
        if (block.timestamp > deadline) revert AgentRegistryDeadlineExpired(deadline, block.timestamp);
        if (deadline > block.timestamp + _MAX_DEADLINE_DELAY) {
            revert AgentRegistryDeadlineTooFar(deadline, block.timestamp + _MAX_DEADLINE_DELAY);
        }
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(_AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline))
        );
        if (!SignatureChecker.isValidSignatureNow(newWallet, digest, signature)) {
            revert AgentRegistryInvalidWalletSignature(agentId, newWallet);
        }
        _agents[agentId].wallet = newWallet;
        emit MetadataSet(agentId, "agentWallet", "agentWallet", abi.encodePacked(newWallet));
    }

    /// @inheritdoc IAgentRegistry
    function getAgentWallet(uint256 agentId) external view returns (address) {
        return _walletOf(agentId);
    }

    /// @inheritdoc IAgentRegistry
    function unsetAgentWallet(uint256 agentId) external {
        _requireUpdatable(agentId);
        _agents[agentId].wallet = _WALLET_UNSET;
        emit MetadataSet(agentId, "agentWallet", "agentWallet", "");
    }

    /// @notice The registration-file URI (ERC-8004 `agentURI`).
    function tokenURI(uint256 agentId) public view override returns (string memory) {
        _requireOwned(agentId);
        return _uris[agentId];
    }

    // ----- Ainur DID -----

    /// @inheritdoc IAgentRegistry
    function didOf(uint256 agentId) external view returns (string memory) {
        _requireOwned(agentId);
        return string.concat("did:ainur:", block.chainid.toString(), ":", agentId.toString());
    }

    /// @inheritdoc IAgentRegistry
    function operatorOf(uint256 agentId) external view returns (address) {
        address owner = _ownerOf(agentId);
        if (owner == address(0)) return address(0);
        address wallet = _agents[agentId].wallet;
        return wallet == address(0) || wallet == _WALLET_UNSET ? owner : wallet;
    }

    /// @inheritdoc IAgentRegistry
    function controllerOf(uint256 agentId) public view returns (address) {
        address owner = _requireOwned(agentId);
        address controller = _controllers[agentId];
        return controller == address(0) ? owner : controller;
    }

    /// @inheritdoc IAgentRegistry
    function setController(uint256 agentId, address newController) external {
        _requireUpdatable(agentId);
        address old = controllerOf(agentId);
        _controllers[agentId] = newController;
        emit ControllerChanged(agentId, old, newController == address(0) ? _ownerOf(agentId) : newController);
    }

    /// @inheritdoc IAgentRegistry
    function recover(uint256 agentId, address newOwner) external {
        address controller = controllerOf(agentId);
        if (msg.sender != controller) revert AgentRegistryUnauthorized(agentId, msg.sender);
        if (_agents[agentId].deactivated) revert AgentRegistryDeactivated(agentId);
        if (newOwner == address(0)) revert AgentRegistryInvalidOwner(newOwner);
        address oldOwner = _ownerOf(agentId);
        emit AgentRecovered(agentId, oldOwner, newOwner);
        _safeTransfer(oldOwner, newOwner, agentId);
    }

    /// @inheritdoc IAgentRegistry
    function addSigningKey(uint256 agentId, bytes32 key) external {
        _requireUpdatable(agentId);
        _addKey(agentId, key);
    }

    /// @inheritdoc IAgentRegistry
    function revokeSigningKey(uint256 agentId, bytes32 key) external {
        _requireUpdatable(agentId);
        _revokeKey(agentId, key);
    }

    /// @inheritdoc IAgentRegistry
    function rotateSigningKey(uint256 agentId, bytes32 oldKey, bytes32 newKey) external {
        _requireUpdatable(agentId);
        _revokeKey(agentId, oldKey);
        _addKey(agentId, newKey);
    }

    /// @inheritdoc IAgentRegistry
    function signingKeyState(uint256 agentId, bytes32 key) external view returns (KeyState) {
        return _keys[agentId][key];
    }

    /// @inheritdoc IAgentRegistry
    function updateCapabilities(
        uint256 agentId,
        bytes32[] calldata added,
        bytes32[] calldata removed
    ) external {
        _requireUpdatable(agentId);
        mapping(bytes32 => bool) storage caps = _capabilities[agentId];
        for (uint256 i; i < removed.length; ++i) {
            if (caps[removed[i]]) {
                caps[removed[i]] = false;
                emit CapabilityRemoved(agentId, removed[i]);
            }
        }
        for (uint256 i; i < added.length; ++i) {
            if (!caps[added[i]]) {
                caps[added[i]] = true;
                emit CapabilityAdded(agentId, added[i]);
            }
        }
    }

    /// @inheritdoc IAgentRegistry
    function hasCapability(uint256 agentId, bytes32 capability) external view returns (bool) {
        return _capabilities[agentId][capability];
    }

    /// @inheritdoc IAgentRegistry
    function updateZones(uint256 agentId, bytes32[] calldata added, bytes32[] calldata removed) external {
        _requireUpdatable(agentId);
        mapping(bytes32 => bool) storage zones = _zones[agentId];
        for (uint256 i; i < removed.length; ++i) {
            if (zones[removed[i]]) {
                zones[removed[i]] = false;
                emit ZoneRemoved(agentId, removed[i]);
            }
        }
        for (uint256 i; i < added.length; ++i) {
            if (!zones[added[i]]) {
                zones[added[i]] = true;
                emit ZoneAdded(agentId, added[i]);
            }
        }
    }

    /// @inheritdoc IAgentRegistry
    function inZone(uint256 agentId, bytes32 zone) external view returns (bool) {
        return _zones[agentId][zone];
    }

    /// @inheritdoc IAgentRegistry
    function updateProfile(uint256 agentId, string calldata endpoint, string calldata metadataCid) external {
        _requireUpdatable(agentId);
        _endpoints[agentId] = endpoint;
        _metadataCids[agentId] = metadataCid;
        emit ProfileUpdated(agentId, endpoint, metadataCid);
    }

    /// @inheritdoc IAgentRegistry
    function profileOf(
        uint256 agentId
    ) external view returns (string memory endpoint, string memory metadataCid) {
        return (_endpoints[agentId], _metadataCids[agentId]);
    }

    /// @inheritdoc IAgentRegistry
    function deactivate(uint256 agentId) external {
        _requireUpdatable(agentId);
        _agents[agentId].deactivated = true;
        emit AgentDeactivated(agentId);
    }

    /// @inheritdoc IAgentRegistry
    function isActive(uint256 agentId) external view returns (bool) {
        return _ownerOf(agentId) != address(0) && !_agents[agentId].deactivated;
    }

    /// @inheritdoc IAgentRegistry
    function totalAgents() external view returns (uint256) {
        return _lastId;
    }

    // ----- Internals -----

    /// @dev Reverts unless the agent exists, is active, and the caller is its owner or approved.
    function _requireUpdatable(uint256 agentId) private view returns (address owner) {
        owner = _ownerOf(agentId);
        if (owner == address(0)) revert AgentRegistryUnknownAgent(agentId);
        if (!_isAuthorized(owner, msg.sender, agentId)) revert AgentRegistryUnauthorized(agentId, msg.sender);
        if (_agents[agentId].deactivated) revert AgentRegistryDeactivated(agentId);
    }

    function _walletOf(uint256 agentId) private view returns (address) {
        address owner = _requireOwned(agentId);
        address wallet = _agents[agentId].wallet;
        if (wallet == address(0)) return owner;
        return wallet == _WALLET_UNSET ? address(0) : wallet;
    }

    function _setMetadata(uint256 agentId, string calldata key, bytes calldata value) private {
        if (keccak256(bytes(key)) == _RESERVED_WALLET_KEY) revert AgentRegistryReservedKey(key);
        _metadata[agentId][key] = value;
        emit MetadataSet(agentId, key, key, value);
    }

    function _addKey(uint256 agentId, bytes32 key) private {
        if (key == bytes32(0)) revert AgentRegistryInvalidKey(key);
        KeyState state = _keys[agentId][key];
        if (state != KeyState.None) revert AgentRegistryKeyExists(agentId, key, state);
        _keys[agentId][key] = KeyState.Active;
        emit SigningKeyAdded(agentId, key);
    }

    function _revokeKey(uint256 agentId, bytes32 key) private {
        KeyState state = _keys[agentId][key];
        if (state != KeyState.Active) revert AgentRegistryKeyNotActive(agentId, key, state);
        _keys[agentId][key] = KeyState.Revoked;
        emit SigningKeyRevoked(agentId, key);
    }

    /// @dev On every transfer (not mint or burn) clear the agent wallet (ERC-8004) and the controller.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0) && to != address(0)) {
            _agents[tokenId].wallet = _WALLET_UNSET;
            delete _controllers[tokenId];
            emit MetadataSet(tokenId, "agentWallet", "agentWallet", "");
        }
    }
}
