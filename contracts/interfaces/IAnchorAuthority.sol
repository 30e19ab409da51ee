// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IAnchorAuthority
/// @notice Tells the LineageRegistry who may anchor lineage roots.
interface IAnchorAuthority {
    /// @notice Whether `account` may anchor lineage roots now.
    function isAuthorisedAnchorer(address account) external view returns (bool);
}
