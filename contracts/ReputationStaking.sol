// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAnchorAuthority} from "./interfaces/IAnchorAuthority.sol";
import {IReputationStaking} from "./interfaces/IReputationStaking.sol";
import {IAgentRegistry} from "./interfaces/IAgentRegistry.sol";

/// @title ReputationStaking
/// @notice Operator stake, unbonding with a delay, capped slashing from three sources, and an outcome score.
/// @dev Roles: `PARAMETER_ROLE` (the timelock) sets the parameters; `ESCROW_SLASHER_ROLE` and
/// `RECORDER_ROLE` go to the TaskEscrow, `DISPUTE_SLASHER_ROLE` to whatever rules disputes (the TaskEscrow's
/// arbitration), `GOVERNANCE_SLASHER_ROLE` to the timelock. Unbonding stake stays slashable until withdrawn,
/// so an operator cannot escape a known slash by unbonding ahead of it.
contract ReputationStaking is IReputationStaking, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;

    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");
    bytes32 public constant ESCROW_SLASHER_ROLE = keccak256("ESCROW_SLASHER_ROLE");
    bytes32 public constant DISPUTE_SLASHER_ROLE = keccak256("DISPUTE_SLASHER_ROLE");
    bytes32 public constant GOVERNANCE_SLASHER_ROLE = keccak256("GOVERNANCE_SLASHER_ROLE");
    bytes32 public constant RECORDER_ROLE = keccak256("RECORDER_ROLE");

    uint16 private constant _BPS = 10_000;
    // Scores are kept in thousandths of a point, so that decay does not round small scores away.
    int48 private constant _COMPLETED_POINTS = 100_000;
    int48 private constant _FAILED_POINTS = -200_000;
    int48 private constant _DISPUTE_LOST_POINTS = -300_000;
    int48 private constant _RATING_POINTS = 25_000;
    uint48 private constant _MAX_UNBOND_DELAY = 365 days;

    IERC20 private immutable _stakeToken;
    IAgentRegistry private immutable _registry;

    mapping(address operator => StakeInfo) private _stakes;
    mapping(address operator => Record) private _records;
    uint256 private _totalBonded;
    uint256 private _totalUnbonding;
    uint256 private _totalSlashed;

    uint256 private _minimumStake;
    uint64 private _unbondDelay;
    uint64 private _scoreHalfLife;
    address private _slashRecipient;
    mapping(SlashSource source => uint16 capBps) private _slashCapBps;

    /// @notice Constructor parameters.
    struct Params {
        uint256 minimumStake;
        uint64 unbondDelay;
        uint64 scoreHalfLife;
        address slashRecipient;
        uint16 escrowSlashCapBps;
        uint16 disputeSlashCapBps;
        uint16 governanceSlashCapBps;
    }

    /// @param stakeToken_ The ERC-20 bonded as stake.
    /// @param registry The agent registry, read by {getSummary}.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE` and `PARAMETER_ROLE` (the deployer hands them to the timelock).
    constructor(IERC20 stakeToken_, IAgentRegistry registry, address admin, Params memory params) {
        _stakeToken = stakeToken_;
        _registry = registry;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMETER_ROLE, admin);
        _setMinimumStake(params.minimumStake);
        _setUnbondDelay(params.unbondDelay);
        _setScoreHalfLife(params.scoreHalfLife);
        _setSlashRecipient(params.slashRecipient);
        _setSlashCap(SlashSource.EscrowOutcome, params.escrowSlashCapBps);
        _setSlashCap(SlashSource.DisputeRuling, params.disputeSlashCapBps);
        _setSlashCap(SlashSource.Governance, params.governanceSlashCapBps);
    }

    // ----- Stake -----

    /// @inheritdoc IReputationStaking
    function bond(uint256 amount) external nonReentrant {
        if (amount == 0) revert ReputationStakingZeroAmount();
        StakeInfo storage info = _stakes[msg.sender];
        uint256 bonded = info.bonded + amount;
        info.bonded = bonded;
        _totalBonded += amount;
        emit StakeBonded(msg.sender, amount, bonded);
        _stakeToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IReputationStaking
    function requestUnbond(uint256 amount) external {
        if (amount == 0) revert ReputationStakingZeroAmount();
        StakeInfo storage info = _stakes[msg.sender];
        uint256 bonded = info.bonded;
        if (bonded < amount) revert ReputationStakingInsufficientStake(msg.sender, bonded, amount);
        uint64 readyAt = uint64(block.timestamp) + _unbondDelay;
        uint192 unbonding = info.unbonding + amount.toUint192();
        unchecked {
            info.bonded = bonded - amount;
            _totalBonded -= amount;
        }
        info.unbonding = unbonding;
        info.unbondReadyAt = readyAt;
        _totalUnbonding += amount;
        emit UnbondRequested(msg.sender, amount, unbonding, readyAt);
    }

    /// @inheritdoc IReputationStaking
    function withdrawUnbonded() external nonReentrant {
        StakeInfo storage info = _stakes[msg.sender];
        uint256 amount = info.unbonding;
        if (amount == 0) revert ReputationStakingNothingToWithdraw(msg.sender);
        if (block.timestamp < info.unbondReadyAt) {
            revert ReputationStakingUnbondNotReady(msg.sender, info.unbondReadyAt, uint64(block.timestamp));
        }
        info.unbonding = 0;
        info.unbondReadyAt = 0;
        _totalUnbonding -= amount;
        emit UnbondWithdrawn(msg.sender, amount);
        _stakeToken.safeTransfer(msg.sender, amount);
    }

    // ----- Slash and outcomes -----

    /// @inheritdoc IReputationStaking
    function slash(
        address operator,
        uint256 amount,
        SlashSource source,
        bytes32 reason
    ) external nonReentrant onlyRole(_slasherRole(source)) returns (uint256 slashed) {
        StakeInfo storage info = _stakes[operator];
        uint256 bonded = info.bonded;
        uint256 unbonding = info.unbonding;
        uint256 cap = ((bonded + unbonding) * _slashCapBps[source]) / _BPS;
        slashed = amount < cap ? amount : cap;
        uint256 fromBonded = slashed < bonded ? slashed : bonded;
        uint256 fromUnbonding = slashed - fromBonded;
        unchecked {
            // fromBonded <= bonded and fromUnbonding <= unbonding because slashed <= cap <= bonded + unbonding.
            info.bonded = bonded - fromBonded;
            info.unbonding = uint192(unbonding - fromUnbonding);
            _totalBonded -= fromBonded;
            _totalUnbonding -= fromUnbonding;
        }
        _totalSlashed += slashed;
        address recipient = _slashRecipient;
        emit StakeSlashed(operator, source, slashed, reason, recipient);
        if (slashed != 0) _stakeToken.safeTransfer(recipient, slashed);
    }

    /// @inheritdoc IReputationStaking
    function recordOutcome(address operator, Outcome outcome, uint8 rating) external onlyRole(RECORDER_ROLE) {
        if (rating > 5) revert ReputationStakingInvalidRating(rating);
        Record memory r = _decayed(_records[operator]);
        int48 points;
        if (outcome == Outcome.Completed) {
            r.completed += 1;
            points = _COMPLETED_POINTS;
        } else if (outcome == Outcome.Failed) {
            r.failed += 1;
            points = _FAILED_POINTS;
        } else {
            r.disputesLost += 1;
            points = _DISPUTE_LOST_POINTS;
        }
        if (rating != 0) {
            r.ratings += 1;
            r.ratingSum += rating;
            points += (int48(uint48(rating)) - 3) * _RATING_POINTS;
        }
        r.score += points;
        _records[operator] = r;
        emit OutcomeRecorded(operator, outcome, rating, r.score);
    }

    // ----- Views -----

    /// @inheritdoc IAnchorAuthority
    function isAuthorisedAnchorer(address account) external view returns (bool) {
        return _isEligible(account);
    }

    /// @inheritdoc IReputationStaking
    function isEligible(address operator) external view returns (bool) {
        return _isEligible(operator);
    }

    /// @inheritdoc IReputationStaking
    function stakeOf(address operator) external view returns (StakeInfo memory) {
        return _stakes[operator];
    }

    /// @inheritdoc IReputationStaking
    function recordOf(address operator) external view returns (Record memory) {
        return _decayed(_records[operator]);
    }

    /// @inheritdoc IReputationStaking
    function scoreOf(address operator) external view returns (int256) {
        return _decayed(_records[operator]).score;
    }

    /// @inheritdoc IReputationStaking
    function slashCap(address operator, SlashSource source) external view returns (uint256) {
        StakeInfo storage info = _stakes[operator];
        return ((info.bonded + info.unbonding) * _slashCapBps[source]) / _BPS;
    }

    /// @inheritdoc IReputationStaking
    function getSummary(
        uint256 agentId,
        address[] calldata,
        string calldata,
        string calldata
    ) external view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals) {
        address operator = _registry.operatorOf(agentId);
        if (operator == address(0)) revert ReputationStakingUnknownAgent(agentId);
        Record memory r = _decayed(_records[operator]);
        count = uint64(r.completed) + r.failed + r.disputesLost;
        summaryValue = r.score;
        summaryValueDecimals = 3;
    }

    function stakeToken() external view returns (address) {
        return address(_stakeToken);
    }

    function minimumStake() external view returns (uint256) {
        return _minimumStake;
    }

    function unbondDelay() external view returns (uint64) {
        return _unbondDelay;
    }

    function slashCapBps(SlashSource source) external view returns (uint16) {
        return _slashCapBps[source];
    }

    function slashRecipient() external view returns (address) {
        return _slashRecipient;
    }

    function scoreHalfLife() external view returns (uint64) {
        return _scoreHalfLife;
    }

    function totalBonded() external view returns (uint256) {
        return _totalBonded;
    }

    function totalUnbonding() external view returns (uint256) {
        return _totalUnbonding;
    }

    function totalSlashed() external view returns (uint256) {
        return _totalSlashed;
    }

    // ----- Parameters (timelock) -----

    function setMinimumStake(uint256 newMinimum) external onlyRole(PARAMETER_ROLE) {
        _setMinimumStake(newMinimum);
    }

    function setUnbondDelay(uint64 newDelay) external onlyRole(PARAMETER_ROLE) {
        _setUnbondDelay(newDelay);
    }

    function setSlashCap(SlashSource source, uint16 newCapBps) external onlyRole(PARAMETER_ROLE) {
        _setSlashCap(source, newCapBps);
    }

    function setSlashRecipient(address newRecipient) external onlyRole(PARAMETER_ROLE) {
        _setSlashRecipient(newRecipient);
    }

    function setScoreHalfLife(uint64 newHalfLife) external onlyRole(PARAMETER_ROLE) {
        _setScoreHalfLife(newHalfLife);
    }

    // ----- Internals -----

    function _isEligible(address operator) private view returns (bool) {
        uint256 bonded = _stakes[operator].bonded;
        return bonded != 0 && bonded >= _minimumStake;
    }

    function _slasherRole(SlashSource source) private pure returns (bytes32) {
        if (source == SlashSource.EscrowOutcome) return ESCROW_SLASHER_ROLE;
        if (source == SlashSource.DisputeRuling) return DISPUTE_SLASHER_ROLE;
        return GOVERNANCE_SLASHER_ROLE;
    }

    /// @dev Hyperbolic decay: score * h / (h + elapsed). After one half-life h the score is halved.
    function _decayed(Record memory r) private view returns (Record memory) {
        uint256 elapsed = block.timestamp - r.updatedAt;
        if (r.score != 0 && elapsed != 0) {
            int256 h = int256(uint256(_scoreHalfLife));
            r.score = ((int256(r.score) * h) / (h + int256(elapsed))).toInt48();
        }
        r.updatedAt = uint40(block.timestamp);
        return r;
    }

    function _setMinimumStake(uint256 newMinimum) private {
        if (newMinimum == 0) revert ReputationStakingInvalidParameter("minimumStake", newMinimum);
        uint256 old = _minimumStake;
        _minimumStake = newMinimum;
        emit MinimumStakeUpdated(old, newMinimum);
    }

    function _setUnbondDelay(uint64 newDelay) private {
        if (newDelay > _MAX_UNBOND_DELAY) revert ReputationStakingInvalidParameter("unbondDelay", newDelay);
        uint64 old = _unbondDelay;
        _unbondDelay = newDelay;
        emit UnbondDelayUpdated(old, newDelay);
    }

    function _setScoreHalfLife(uint64 newHalfLife) private {
        if (newHalfLife == 0) revert ReputationStakingInvalidParameter("scoreHalfLife", newHalfLife);
        uint64 old = _scoreHalfLife;
        _scoreHalfLife = newHalfLife;
        emit ScoreHalfLifeUpdated(old, newHalfLife);
    }

    function _setSlashRecipient(address newRecipient) private {
        if (newRecipient == address(0)) revert ReputationStakingInvalidParameter("slashRecipient", 0);
        address old = _slashRecipient;
        _slashRecipient = newRecipient;
        emit SlashRecipientUpdated(old, newRecipient);
    }

    function _setSlashCap(SlashSource source, uint16 newCapBps) private {
        if (newCapBps > _BPS) revert ReputationStakingInvalidParameter("slashCapBps", newCapBps);
        uint16 old = _slashCapBps[source];
        _slashCapBps[source] = newCapBps;
        emit SlashCapUpdated(source, old, newCapBps);
    }
}
