// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IInsurancePool
/// @notice Liquidity providers deposit the escrow's payment token for shares and withdraw after a cooldown.
/// A requester buys cover for an escrowed task; the premium is computed on-chain from the coverage, the
/// agent's reputation score and the pool's utilisation, and accrues to the providers. Claims are paid when
/// the escrow records the task's failure. Active cover never exceeds what the pool holds.
interface IInsurancePool {
    enum PolicyStatus {
        None,
        Active,
        Paid,
        Expired
    }

    struct Policy {
        address holder;
        uint96 premium;
        uint128 coverage;
        PolicyStatus status;
    }

    /// @notice The premium curve, in basis points of the coverage:
    /// `base + reputationRisk * scale / (scale + max(score, 0)) + utilisationSlope * utilisationAfter / 10000`.
    struct PremiumCurve {
        uint16 baseBps;
        uint16 reputationRiskBps;
        uint16 utilisationSlopeBps;
        uint32 reputationScale;
    }

    struct WithdrawalRequest {
        uint128 shares;
        uint64 readyAt;
    }

    event Deposited(address indexed provider, uint256 assets, uint256 shares);
    event WithdrawalRequested(address indexed provider, uint256 shares, uint64 readyAt);
    event Withdrawn(address indexed provider, uint256 assets, uint256 shares);
    event CoverBought(
        bytes32 indexed taskId,
        address indexed holder,
        address indexed agent,
        uint256 coverage,
        uint256 premium
    );
    event ClaimPaid(bytes32 indexed taskId, address indexed holder, uint256 amount);
    event CoverExpired(bytes32 indexed taskId, uint256 coverage);
    event PremiumCurveUpdated(PremiumCurve oldCurve, PremiumCurve newCurve);
    event CoverCapsUpdated(uint128 maxPerPolicy, uint16 maxUtilisationBps);
    event WithdrawalCooldownUpdated(uint64 oldCooldown, uint64 newCooldown);

    error InsurancePoolZeroAmount();
    error InsurancePoolInsufficientShares(address provider, uint256 shares, uint256 needed);
    error InsurancePoolWithdrawalNotReady(address provider, uint64 readyAt);
    error InsurancePoolInsufficientLiquidity(uint256 requested, uint256 available);
    error InsurancePoolNotRequester(bytes32 taskId, address caller);
    error InsurancePoolTaskNotCoverable(bytes32 taskId, uint8 taskStatus);
    error InsurancePoolPolicyExists(bytes32 taskId);
    error InsurancePoolCoverTooLarge(uint256 coverage, uint256 maxPerPolicy);
    error InsurancePoolCapacityExceeded(uint256 coverage, uint256 capacity);
    error InsurancePoolPremiumTooHigh(uint256 premium, uint256 maxPremium);
    error InsurancePoolNotEscrow(address caller);
    error InsurancePoolNoActivePolicy(bytes32 taskId);
    error InsurancePoolTaskNotFailed(bytes32 taskId, uint8 taskStatus);
    error InsurancePoolTaskNotSettled(bytes32 taskId, uint8 taskStatus);
    error InsurancePoolInvalidParameter(bytes32 parameter, uint256 value);

    /// @notice Deposits `assets` for shares.
    function deposit(uint256 assets) external returns (uint256 shares);

    /// @notice Starts the cooldown for `shares` (they keep earning and bearing losses until withdrawn).
    function requestWithdrawal(uint256 shares) external;

    /// @notice Redeems the requested shares after the cooldown, at the current share price, from free
    /// liquidity (assets not backing active cover).
    function withdraw() external returns (uint256 assets);

    /// @notice The requester of an awarded task buys `coverage`, paying at most `maxPremium`.
    function buyCover(
        bytes32 taskId,
        uint256 coverage,
        uint256 maxPremium
    ) external returns (uint256 premium);

    /// @notice The escrow reports how an insured task ended: a failure pays the claim, anything else
    /// releases the cover. Escrow only.
    function onTaskSettled(bytes32 taskId, bool failed) external;

    /// @notice Anyone pays the claim of a task the escrow records as failed (if the escrow's report is missing).
    function claim(bytes32 taskId) external;

    /// @notice Anyone releases the cover of a task that ended without failing (if the escrow's report is missing).
    function expire(bytes32 taskId) external;

    /// @notice The premium `buyCover` would charge now.
    function quote(bytes32 taskId, uint256 coverage) external view returns (uint256 premium);

    function policyOf(bytes32 taskId) external view returns (Policy memory);
    function totalAssets() external view returns (uint256);
    function totalShares() external view returns (uint256);
    function sharesOf(address provider) external view returns (uint256);
    function withdrawalOf(address provider) external view returns (WithdrawalRequest memory);
    function activeCover() external view returns (uint256);
    function freeLiquidity() external view returns (uint256);
    function previewRedeem(uint256 shares) external view returns (uint256);
    function premiumCurve() external view returns (PremiumCurve memory);
    function maxCoverPerPolicy() external view returns (uint128);
    function maxUtilisationBps() external view returns (uint16);
    function withdrawalCooldown() external view returns (uint64);

    function setPremiumCurve(PremiumCurve calldata curve) external;
    function setCoverCaps(uint128 maxPerPolicy, uint16 maxUtilisationBps_) external;
    function setWithdrawalCooldown(uint64 cooldown) external;
}
