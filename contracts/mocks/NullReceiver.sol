// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title NullReceiver (test only)
/// @notice Accepts any call and does nothing: stands in for an insurance pool that ignores the escrow's reports.
contract NullReceiver {
    fallback() external {}
}
