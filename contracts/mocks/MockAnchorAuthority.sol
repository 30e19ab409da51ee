// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAnchorAuthority} from "../interfaces/IAnchorAuthority.sol";

/// @title MockAnchorAuthority
/// @notice Test double for LineageRegistry's tests: an allow-list that anyone may edit. The real
/// authorities are ReputationStaking (staked operators) and TaskEscrow.
contract MockAnchorAuthority is IAnchorAuthority {
    mapping(address account => bool) private _allowed;

    function setAuthorised(address account, bool allowed) external {
        _allowed[account] = allowed;
    }

    function isAuthorisedAnchorer(address account) external view returns (bool) {
        return _allowed[account];
    }
}
