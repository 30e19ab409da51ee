// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAnchorAuthority} from "./IAnchorAuthority.sol";

/// @title IReputationStaking
/// @notice Operators bond a stake token; unbonding waits a delay during which the stake can still be
/// slashed. A slash comes from exactly three sources, each with its own role and a cap per incident, and
/// the slashed tokens go to the slash recipient (the insurance pool or the treasury). A score is built from
/// task outcomes with time decay. Only operators bonded at or above the minimum may be awarded tasks or
/// anchor lineage roots.
interface IReputationStaking is IAnchorAuthority {
    /// @notice Where a slash comes from. Each source has its own role and its own cap.
    enum SlashSource {
        EscrowOutcome, // a TaskEscrow failure or timeout
        DisputeRuling, // a lost dispute
        Governance // a DAO decision, through the timelock
    }

    /// @notice A task outcome reported by the escrow.
    enum Outcome {
        Completed,
        Failed,
        DisputeLost
    }

    /// @notice An operator's stake.
    struct StakeInfo {
        uint256 bonded;
        uint192 unbonding;
        uint64 unbondReadyAt;
    }

    /// @notice An operator's outcome record. `score` (thousandths of a point) is decayed to `updatedAt`.
    struct Record {
        uint32 completed;
        uint32 failed;
        uint32 disputesLost;
        uint32 ratings;
        uint40 ratingSum;
        int48 score;
        uint40 updatedAt;
    }

    event StakeBonded(address indexed operator, uint256 amount, uint256 bonded);
    event UnbondRequested(address indexed operator, uint256 amount, uint256 unbonding, uint64 readyAt);
    event UnbondWithdrawn(address indexed operator, uint256 amount);
    event StakeSlashed(
        address indexed operator,
        SlashSource indexed source,
        uint256 amount,
        bytes32 reason,
        address recipient
    );
    event OutcomeRecorded(address indexed operator, Outcome outcome, uint8 rating, int48 score);
    event MinimumStakeUpdated(uint256 oldMinimum, uint256 newMinimum);
    event UnbondDelayUpdated(uint64 oldDelay, uint64 newDelay);
    event SlashCapUpdated(SlashSource indexed source, uint16 oldCapBps, uint16 newCapBps);
    event SlashRecipientUpdated(address oldRecipient, address newRecipient);
    event ScoreHalfLifeUpdated(uint64 oldHalfLife, uint64 newHalfLife);

    error ReputationStakingZeroAmount();
    error ReputationStakingInsufficientStake(address operator, uint256 stake, uint256 needed);
    error ReputationStakingUnbondNotReady(address operator, uint64 readyAt, uint64 now_);
    error ReputationStakingNothingToWithdraw(address operator);
    error ReputationStakingInvalidParameter(bytes32 parameter, uint256 value);
    error ReputationStakingInvalidRating(uint8 rating);
    error ReputationStakingUnknownAgent(uint256 agentId);

    /// @notice Bonds `amount` stake tokens from the caller (who must have approved this contract).
    function bond(uint256 amount) external;

    /// @notice Moves `amount` of the caller's bonded stake into unbonding; restarts the delay.
    function requestUnbond(uint256 amount) external;

    /// @notice Sends the caller's unbonding stake back once the delay has passed.
    function withdrawUnbonded() external;

    /// @notice Slashes up to `amount` of `operator`'s stake (bonded first, then unbonding), capped per
    /// incident at the source's cap. Only the role of `source` may call. Returns the amount slashed.
    function slash(
        address operator,
        uint256 amount,
        SlashSource source,
        bytes32 reason
    ) external returns (uint256 slashed);

    /// @notice Records a task outcome for `operator` (rating 0 = none, else 1..5). Recorder role only.
    function recordOutcome(address operator, Outcome outcome, uint8 rating) external;

    /// @notice Whether `operator` is bonded at or above the minimum stake.
    function isEligible(address operator) external view returns (bool);

    /// @notice The operator's stake.
    function stakeOf(address operator) external view returns (StakeInfo memory);

    /// @notice The operator's outcome record, with the score decayed to now.
    function recordOf(address operator) external view returns (Record memory);

    /// @notice The operator's score decayed to now, in thousandths of a point (completed +100, failed -200,
    /// dispute lost -300, rating r adds (r-3)*25; hyperbolic decay: after one half-life a score is halved).
    function scoreOf(address operator) external view returns (int256);

    /// @notice The largest amount one incident from `source` may slash from `operator` now.
    function slashCap(address operator, SlashSource source) external view returns (uint256);

    /// @notice ERC-8004 reputation-compatible summary for the operator that owns `agentId` in the agent
    /// registry: `count` is the number of recorded outcomes, `summaryValue` the decayed score with 3 decimals.
    /// `clientAddresses`, `tag1` and `tag2` are accepted for compatibility and ignored (outcomes come only from
    /// the escrow).
    function getSummary(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2
    ) external view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals);

    function stakeToken() external view returns (address);
    function minimumStake() external view returns (uint256);
    function unbondDelay() external view returns (uint64);
    function slashCapBps(SlashSource source) external view returns (uint16);
    function slashRecipient() external view returns (address);
    function scoreHalfLife() external view returns (uint64);
    function totalBonded() external view returns (uint256);
    function totalUnbonding() external view returns (uint256);
    function totalSlashed() external view returns (uint256);

    function setMinimumStake(uint256 newMinimum) external;
    function setUnbondDelay(uint64 newDelay) external;
    function setSlashCap(SlashSource source, uint16 newCapBps) external;
    function setSlashRecipient(address newRecipient) external;
    function setScoreHalfLife(uint64 newHalfLife) external;
}
