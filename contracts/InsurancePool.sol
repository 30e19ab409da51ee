// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IInsurancePool} from "./interfaces/IInsurancePool.sol";
import {ITaskEscrow} from "./interfaces/ITaskEscrow.sol";
import {IReputationStaking} from "./interfaces/IReputationStaking.sol";

/// @title InsurancePool
/// @notice Cover for escrowed tasks, funded by liquidity providers who earn the premiums.
/// @dev Assets are the pool's token balance (premiums, and slashed stake sent here, accrue to the providers);
/// shares use a virtual offset against the first-depositor inflation attack. Invariant: the token balance is
/// at least the active cover (`_activeCover`), because cover is only sold against free liquidity and
/// withdrawals only take free liquidity. `PARAMETER_ROLE` (the timelock) sets the premium curve, the caps and
/// the cooldown.
contract InsurancePool is IInsurancePool, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");
    uint16 private constant _BPS = 10_000;
    uint256 private constant _VIRTUAL_SHARES = 1e3;
    uint256 private constant _VIRTUAL_ASSETS = 1;
    uint64 private constant _MAX_COOLDOWN = 90 days;

    IERC20 private immutable _token;
    ITaskEscrow private immutable _escrow;
    IReputationStaking private immutable _staking;

    mapping(address provider => uint256) private _shares;
    mapping(address provider => WithdrawalRequest) private _withdrawals;
    mapping(bytes32 taskId => Policy) private _policies;
    uint256 private _totalShares;
    uint256 private _activeCover;

    PremiumCurve private _curve;
    uint128 private _maxCoverPerPolicy;
    uint16 private _maxUtilisationBps;
    uint64 private _withdrawalCooldown;

    /// @notice Constructor parameters.
    struct Params {
        PremiumCurve curve;
        uint128 maxCoverPerPolicy;
        uint16 maxUtilisationBps;
        uint64 withdrawalCooldown;
    }

    constructor(ITaskEscrow escrow, IReputationStaking staking, address admin, Params memory params) {
        _escrow = escrow;
        _staking = staking;
        _token = IERC20(escrow.paymentToken());
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMETER_ROLE, admin);
        _setPremiumCurve(params.curve);
        _setCoverCaps(params.maxCoverPerPolicy, params.maxUtilisationBps);
        _setWithdrawalCooldown(params.withdrawalCooldown);
    }

    // ----- Liquidity -----

    /// @inheritdoc IInsurancePool
    function deposit(uint256 assets) external nonReentrant returns (uint256 shares) {
        if (assets == 0) revert InsurancePoolZeroAmount();
        shares = Math.mulDiv(assets, _totalShares + _VIRTUAL_SHARES, _totalAssets() + _VIRTUAL_ASSETS);
        if (shares == 0) revert InsurancePoolZeroAmount();
        _shares[msg.sender] += shares;
        _totalShares += shares;
        emit Deposited(msg.sender, assets, shares);
        _token.safeTransferFrom(msg.sender, address(this), assets);
    }

    /// @inheritdoc IInsurancePool
    function requestWithdrawal(uint256 shares) external {
        if (shares == 0) revert InsurancePoolZeroAmount();
        uint256 held = _shares[msg.sender];
        if (held < shares) revert InsurancePoolInsufficientShares(msg.sender, held, shares);
        uint64 readyAt = uint64(block.timestamp) + _withdrawalCooldown;
        _withdrawals[msg.sender] = WithdrawalRequest(shares.toUint128(), readyAt);
        emit WithdrawalRequested(msg.sender, shares, readyAt);
    }

    /// @inheritdoc IInsurancePool
    function withdraw() external nonReentrant returns (uint256 assets) {
        WithdrawalRequest memory request = _withdrawals[msg.sender];
        if (request.shares == 0) revert InsurancePoolZeroAmount();
        if (block.timestamp < request.readyAt)
            revert InsurancePoolWithdrawalNotReady(msg.sender, request.readyAt);
        // A request never exceeds the shares held: shares only fall here, where the request is consumed.
        uint256 held = _shares[msg.sender];
        assets = _previewRedeem(request.shares);
        uint256 free = _freeLiquidity();
        if (assets > free) revert InsurancePoolInsufficientLiquidity(assets, free);
        delete _withdrawals[msg.sender];
        unchecked {
            _shares[msg.sender] = held - request.shares;
        }
        _totalShares -= request.shares;
        emit Withdrawn(msg.sender, assets, request.shares);
        _token.safeTransfer(msg.sender, assets);
    }

    // ----- Cover -----

    /// @inheritdoc IInsurancePool
    function buyCover(
        bytes32 taskId,
        uint256 coverage,
        uint256 maxPremium
    ) external nonReentrant returns (uint256 premium) {
        ITaskEscrow.Task memory task = _escrow.taskOf(taskId);
        if (task.requester != msg.sender) revert InsurancePoolNotRequester(taskId, msg.sender);
        if (task.status != ITaskEscrow.Status.Awarded && task.status != ITaskEscrow.Status.Submitted) {
            revert InsurancePoolTaskNotCoverable(taskId, uint8(task.status));
        }
        if (_policies[taskId].status != PolicyStatus.None) revert InsurancePoolPolicyExists(taskId);
        if (coverage == 0) revert InsurancePoolZeroAmount();
        if (coverage > _maxCoverPerPolicy) revert InsurancePoolCoverTooLarge(coverage, _maxCoverPerPolicy);
        uint256 capacity = _capacity();
        if (coverage > capacity) revert InsurancePoolCapacityExceeded(coverage, capacity);
        premium = _quote(task.agent, coverage);
        if (premium > maxPremium) revert InsurancePoolPremiumTooHigh(premium, maxPremium);

        _policies[taskId] = Policy(msg.sender, premium.toUint96(), coverage.toUint128(), PolicyStatus.Active);
        _activeCover += coverage;
        emit CoverBought(taskId, msg.sender, task.agent, coverage, premium);
        _token.safeTransferFrom(msg.sender, address(this), premium);
        _escrow.markInsured(taskId);
    }

    /// @inheritdoc IInsurancePool
    function onTaskSettled(bytes32 taskId, bool failed) external nonReentrant {
        if (msg.sender != address(_escrow)) revert InsurancePoolNotEscrow(msg.sender);
        if (_policies[taskId].status != PolicyStatus.Active) return;
        if (failed) _payClaim(taskId);
        else _expire(taskId);
    }

    /// @inheritdoc IInsurancePool
    function claim(bytes32 taskId) external nonReentrant {
        ITaskEscrow.Status status = _escrow.statusOf(taskId);
        if (status != ITaskEscrow.Status.Failed) revert InsurancePoolTaskNotFailed(taskId, uint8(status));
        if (_policies[taskId].status != PolicyStatus.Active) revert InsurancePoolNoActivePolicy(taskId);
        _payClaim(taskId);
    }

    /// @inheritdoc IInsurancePool
    function expire(bytes32 taskId) external nonReentrant {
        ITaskEscrow.Status status = _escrow.statusOf(taskId);
        if (status != ITaskEscrow.Status.Released && status != ITaskEscrow.Status.Refunded) {
            revert InsurancePoolTaskNotSettled(taskId, uint8(status));
        }
        if (_policies[taskId].status != PolicyStatus.Active) revert InsurancePoolNoActivePolicy(taskId);
        _expire(taskId);
    }

    // ----- Views -----

    /// @inheritdoc IInsurancePool
    function quote(bytes32 taskId, uint256 coverage) external view returns (uint256) {
        return _quote(_escrow.taskOf(taskId).agent, coverage);
    }

    function policyOf(bytes32 taskId) external view returns (Policy memory) {
        return _policies[taskId];
    }

    function totalAssets() external view returns (uint256) {
        return _totalAssets();
    }

    function totalShares() external view returns (uint256) {
        return _totalShares;
    }

    function sharesOf(address provider) external view returns (uint256) {
        return _shares[provider];
    }

    function withdrawalOf(address provider) external view returns (WithdrawalRequest memory) {
        return _withdrawals[provider];
    }

    function activeCover() external view returns (uint256) {
        return _activeCover;
    }

    function freeLiquidity() external view returns (uint256) {
        return _freeLiquidity();
    }

    function previewRedeem(uint256 shares) external view returns (uint256) {
        return _previewRedeem(shares);
    }

    function premiumCurve() external view returns (PremiumCurve memory) {
        return _curve;
    }

    function maxCoverPerPolicy() external view returns (uint128) {
        return _maxCoverPerPolicy;
    }

    function maxUtilisationBps() external view returns (uint16) {
        return _maxUtilisationBps;
    }

    function withdrawalCooldown() external view returns (uint64) {
        return _withdrawalCooldown;
    }

    // ----- Parameters (timelock) -----

    function setPremiumCurve(PremiumCurve calldata curve) external onlyRole(PARAMETER_ROLE) {
        _setPremiumCurve(curve);
    }

    function setCoverCaps(uint128 maxPerPolicy, uint16 maxUtilisationBps_) external onlyRole(PARAMETER_ROLE) {
        _setCoverCaps(maxPerPolicy, maxUtilisationBps_);
    }

    function setWithdrawalCooldown(uint64 cooldown) external onlyRole(PARAMETER_ROLE) {
        _setWithdrawalCooldown(cooldown);
    }

    // ----- Internals -----

    function _totalAssets() private view returns (uint256) {
        return _token.balanceOf(address(this));
    }

    function _freeLiquidity() private view returns (uint256) {
        uint256 assets = _totalAssets();
        return assets > _activeCover ? assets - _activeCover : 0;
    }

    /// @dev New cover allowed now: utilisation after the sale stays within the cap, and never above free liquidity.
    function _capacity() private view returns (uint256) {
        uint256 assets = _totalAssets();
        uint256 maxCover = (assets * _maxUtilisationBps) / _BPS;
        return maxCover > _activeCover ? maxCover - _activeCover : 0;
    }

    function _previewRedeem(uint256 shares) private view returns (uint256) {
        return Math.mulDiv(shares, _totalAssets() + _VIRTUAL_ASSETS, _totalShares + _VIRTUAL_SHARES);
    }

    function _quote(address agent, uint256 coverage) private view returns (uint256) {
        PremiumCurve memory c = _curve;
        int256 score = _staking.scoreOf(agent);
        uint256 positive = score > 0 ? uint256(score) : 0;
        uint256 riskBps =
            (uint256(c.reputationRiskBps) * c.reputationScale) / (uint256(c.reputationScale) + positive);
        uint256 assets = _totalAssets();
        uint256 utilisationBps =
            assets == 0 ? _BPS : Math.min(_BPS, ((_activeCover + coverage) * _BPS) / assets);
        uint256 rateBps = c.baseBps + riskBps + (uint256(c.utilisationSlopeBps) * utilisationBps) / _BPS;
        return Math.mulDiv(coverage, rateBps, _BPS, Math.Rounding.Ceil);
    }

    function _payClaim(bytes32 taskId) private {
        Policy storage p = _policies[taskId];
        uint256 amount = p.coverage;
        address holder = p.holder;
        p.status = PolicyStatus.Paid;
        _activeCover -= amount;
        emit ClaimPaid(taskId, holder, amount);
        _token.safeTransfer(holder, amount);
    }

    function _expire(bytes32 taskId) private {
        Policy storage p = _policies[taskId];
        uint256 amount = p.coverage;
        p.status = PolicyStatus.Expired;
        _activeCover -= amount;
        emit CoverExpired(taskId, amount);
    }

    function _setPremiumCurve(PremiumCurve memory curve) private {
        if (curve.reputationScale == 0) revert InsurancePoolInvalidParameter("reputationScale", 0);
        if (uint256(curve.baseBps) + curve.reputationRiskBps + curve.utilisationSlopeBps > _BPS) {
            revert InsurancePoolInvalidParameter(
                "premiumRate",
                uint256(curve.baseBps) + curve.reputationRiskBps + curve.utilisationSlopeBps
            );
        }
        PremiumCurve memory old = _curve;
        _curve = curve;
        emit PremiumCurveUpdated(old, curve);
    }

    function _setCoverCaps(uint128 maxPerPolicy, uint16 maxUtilisationBps_) private {
        if (maxUtilisationBps_ > _BPS)
            revert InsurancePoolInvalidParameter("maxUtilisationBps", maxUtilisationBps_);
        _maxCoverPerPolicy = maxPerPolicy;
        _maxUtilisationBps = maxUtilisationBps_;
        emit CoverCapsUpdated(maxPerPolicy, maxUtilisationBps_);
    }

    function _setWithdrawalCooldown(uint64 cooldown) private {
        if (cooldown > _MAX_COOLDOWN) revert InsurancePoolInvalidParameter("withdrawalCooldown", cooldown);
        uint64 old = _withdrawalCooldown;
        _withdrawalCooldown = cooldown;
        emit WithdrawalCooldownUpdated(old, cooldown);
    }
}
