// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC5192} from "./interfaces/IERC5192.sol";
import {IUTIDRegistry} from "./interfaces/IUTIDRegistry.sol";
import {IAgentRegistry} from "./interfaces/IAgentRegistry.sol";

/// @title UTIDRegistry
/// @notice Soulbound capsule IDs (ERC-721 + ERC-5192, always locked), versioned and revocable.
contract UTIDRegistry is IUTIDRegistry, IERC5192, ERC721, AccessControl {
    bytes32 public constant REVOKER_ROLE = keccak256("REVOKER_ROLE");

    IERC721 private immutable _agents;
    mapping(uint256 utid => UTID) private _utids;

    /// @param agents The AgentRegistry (an ERC-721 of agents).
    /// @param admin Receives `DEFAULT_ADMIN_ROLE` and `REVOKER_ROLE` (the deployer hands them to the timelock).
    constructor(IAgentRegistry agents, address admin) ERC721("Ainur UTID", "UTID") {
        _agents = IERC721(address(agents));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REVOKER_ROLE, admin);
    }

    /// @inheritdoc IUTIDRegistry
    function mint(
        uint256 agentId,
        bytes32 manifestHash,
        string calldata cid,
        bytes32 lineageRoot,
        uint256 parent
    ) external returns (uint256 utid) {
        address agentOwner = _agents.ownerOf(agentId);
        if (
            msg.sender != agentOwner &&
            !_agents.isApprovedForAll(agentOwner, msg.sender) &&
            _agents.getApproved(agentId) != msg.sender
        ) revert UTIDRegistryNotAgentOwner(agentId, msg.sender);
        if (manifestHash == bytes32(0)) revert UTIDRegistryInvalidManifest();
        uint32 version = 1;
        if (parent != 0) {
            UTID storage p = _utids[parent];
            if (p.version == 0 || p.agentId != agentId || p.revoked)
                revert UTIDRegistryInvalidParent(parent, agentId);
            version = p.version + 1;
        }
        utid = computeId(agentId, manifestHash, version);
        if (_utids[utid].version != 0) revert UTIDRegistryExists(utid);
        _utids[utid] = UTID(agentId, manifestHash, lineageRoot, parent, version, false, cid);
        _safeMint(agentOwner, utid);
        emit Locked(utid);
        emit UTIDMinted(utid, agentId, manifestHash, version, parent, cid, lineageRoot);
    }

    /// @inheritdoc IUTIDRegistry
    function revoke(uint256 utid) external {
        address owner = _requireOwned(utid);
        if (msg.sender != owner && !hasRole(REVOKER_ROLE, msg.sender))
            revert UTIDRegistryUnauthorized(utid, msg.sender);
        UTID storage u = _utids[utid];
        if (u.revoked) revert UTIDRegistryRevoked(utid);
        u.revoked = true;
        emit UTIDRevoked(utid, msg.sender);
    }

    /// @inheritdoc IUTIDRegistry
    function utidOf(uint256 utid) external view returns (UTID memory) {
        if (_utids[utid].version == 0) revert UTIDRegistryUnknown(utid);
        return _utids[utid];
    }

    /// @inheritdoc IUTIDRegistry
    function isValid(uint256 utid) external view returns (bool) {
        return _utids[utid].version != 0 && !_utids[utid].revoked;
    }

    /// @inheritdoc IUTIDRegistry
    function computeId(uint256 agentId, bytes32 manifestHash, uint32 version) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), agentId, manifestHash, version)));
    }

    /// @inheritdoc IERC5192
    function locked(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return true;
    }

    /// @notice Approvals are pointless for soulbound tokens and always revert.
    function approve(address, uint256 tokenId) public pure override {
        revert UTIDRegistrySoulbound(tokenId);
    }

    /// @notice Approvals are pointless for soulbound tokens and always revert.
    function setApprovalForAll(address, bool) public pure override {
        revert UTIDRegistrySoulbound(0);
    }

    function supportsInterface(
        bytes4 interfaceId
    ) public view override(ERC721, AccessControl) returns (bool) {
        return interfaceId == type(IERC5192).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Only mints: every transfer reverts.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (_ownerOf(tokenId) != address(0)) revert UTIDRegistrySoulbound(tokenId);
        return super._update(to, tokenId, auth);
    }
}
