// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IUsageCredits} from "./interfaces/IUsageCredits.sol";

/// @title UsageCredits
/// @notice Non-transferable credits, minted for contributions (hosting, validation) and burned when used.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` (the governance timelock) grants `ISSUER_ROLE` (may mint) and
/// `SPENDER_ROLE` (may burn from any account, e.g. the TaskEscrow collecting a fee in credits).
/// Every mint and burn emits both the ERC-20 `Transfer` (from or to the zero address) and a reasoned event.
contract UsageCredits is IUsageCredits, AccessControl {
    /// @notice May mint credits.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice May burn credits from any account.
    bytes32 public constant SPENDER_ROLE = keccak256("SPENDER_ROLE");

    mapping(address account => uint256) private _balances;
    mapping(address account => uint256) private _minted;
    uint256 private _totalSupply;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (normally the governance timelock).
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ----- ERC-20 metadata and reads -----

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return "Ainur Usage Credits";
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return "AUC";
    }

    /// @inheritdoc IERC20Metadata
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @inheritdoc IUsageCredits
    function mintedTo(address account) external view returns (uint256) {
        return _minted[account];
    }

    /// @notice Always zero: credits cannot be approved.
    function allowance(address, address) external pure returns (uint256) {
        return 0;
    }

    // ----- ERC-20 writes: all revert -----

    /// @notice Always reverts with {UsageCreditsNonTransferable}.
    function transfer(address to, uint256 amount) external view returns (bool) {
        revert UsageCreditsNonTransferable(msg.sender, to, amount);
    }

    /// @notice Always reverts with {UsageCreditsNonTransferable}.
    function transferFrom(address from, address to, uint256 amount) external pure returns (bool) {
        revert UsageCreditsNonTransferable(from, to, amount);
    }

    /// @notice Always reverts with {UsageCreditsNonTransferable} (`to` is the would-be spender).
    function approve(address spender, uint256 amount) external view returns (bool) {
        revert UsageCreditsNonTransferable(msg.sender, spender, amount);
    }

    // ----- Mint and burn -----

    /// @inheritdoc IUsageCredits
    function mint(address account, uint256 amount, bytes32 reason) external onlyRole(ISSUER_ROLE) {
        if (account == address(0) || amount == 0) revert UsageCreditsInvalidAmount(account, amount);
        _totalSupply += amount;
        unchecked {
            // Cannot overflow: each balance and minted total is bounded by the total supply ever minted.
            _balances[account] += amount;
            _minted[account] += amount;
        }
        emit Transfer(address(0), account, amount);
        emit CreditsMinted(account, amount, reason);
    }

    /// @inheritdoc IUsageCredits
    function burn(uint256 amount, bytes32 reason) external {
        _burn(msg.sender, amount, reason);
    }

    /// @inheritdoc IUsageCredits
    function burnFrom(address account, uint256 amount, bytes32 reason) external onlyRole(SPENDER_ROLE) {
        _burn(account, amount, reason);
    }

    function _burn(address account, uint256 amount, bytes32 reason) private {
        if (account == address(0) || amount == 0) revert UsageCreditsInvalidAmount(account, amount);
        uint256 balance = _balances[account];
        if (balance < amount) revert UsageCreditsInsufficientBalance(account, balance, amount);
        unchecked {
            _balances[account] = balance - amount;
            _totalSupply -= amount;
        }
        emit Transfer(account, address(0), amount);
        emit CreditsBurned(account, amount, reason);
    }
}
