// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title IUsageCredits
/// @notice Non-transferable usage credits. Credits are minted by an issuer for a contribution to the
/// network (hosting, validation, ...) and burned when they are spent. They can never change hands: the
/// ERC-20 read functions work (so wallets show a balance) but every transfer and approval reverts.
interface IUsageCredits is IERC20Metadata {
    /// @notice Emitted when `amount` credits are minted to `account` for a contribution of kind `reason`.
    event CreditsMinted(address indexed account, uint256 amount, bytes32 indexed reason);

    /// @notice Emitted when `amount` credits of `account` are burned for a use of kind `reason`.
    event CreditsBurned(address indexed account, uint256 amount, bytes32 indexed reason);

    /// @notice Credits cannot be transferred or approved: every transfer and approval reverts with this.
    error UsageCreditsNonTransferable(address from, address to, uint256 amount);

    /// @notice A burn asked for more than the account holds.
    error UsageCreditsInsufficientBalance(address account, uint256 balance, uint256 needed);

    /// @notice A mint or burn of zero credits, or to the zero address.
    error UsageCreditsInvalidAmount(address account, uint256 amount);

    /// @notice Mints `amount` credits to `account` for a contribution of kind `reason`. Issuer role only.
    function mint(address account, uint256 amount, bytes32 reason) external;

    /// @notice Burns `amount` of the caller's credits for a use of kind `reason`.
    function burn(uint256 amount, bytes32 reason) external;

    /// @notice Burns `amount` of `account`'s credits for a use of kind `reason`. Spender role only
    /// (for example the TaskEscrow, when a requester pays its fee in credits).
    function burnFrom(address account, uint256 amount, bytes32 reason) external;

    /// @notice Total credits ever minted to `account`: a receipt of its contributions.
    function mintedTo(address account) external view returns (uint256);
}
