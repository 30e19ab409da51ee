// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IUsageCredits
/// @notice Non-transferable usage credits. Credits are minted by an issuer for a contribution to the
/// network (hosting, validation, ...) and burned when they are spent. They can never change hands.
interface IUsageCredits {
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

    /// @notice Mints `amount` credits to `account` for a contribution of kind `reason`. Issuer only.
    function mint(address account, uint256 amount, bytes32 reason) external;

    /// @notice Burns `amount` of the caller's credits for a use of kind `reason`.
    function burn(uint256 amount, bytes32 reason) external;

    /// @notice Burns `amount` of `account`'s credits for a use of kind `reason`. Spender role only.
    function burnFrom(address account, uint256 amount, bytes32 reason) external;
}
