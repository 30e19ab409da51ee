// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ITaskEscrow} from "./interfaces/ITaskEscrow.sol";
import {IReputationStaking} from "./interfaces/IReputationStaking.sol";
import {IUsageCredits} from "./interfaces/IUsageCredits.sol";
import {IInsurancePool} from "./interfaces/IInsurancePool.sol";

/// @title TaskEscrow
/// @notice Escrowed task payments: fund, award, submit, accept or auto-release, timeout, dispute.
/// @dev Roles: `PARAMETER_ROLE` (the timelock) sets the fee, treasury, review-window bound, dispute bond and
/// windows, arbitration panel and insurance pool; `AUCTIONEER_ROLE` signs awards. This contract needs
/// `ESCROW_SLASHER_ROLE`, `DISPUTE_SLASHER_ROLE` and `RECORDER_ROLE` on the staking contract and
/// `SPENDER_ROLE` on the credits. Funds held = the sum of every open task's escrow + open dispute bonds +
/// unclaimed arbitration fees; each path moves exactly what it releases.
contract TaskEscrow is ITaskEscrow, AccessControl, ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");
    bytes32 public constant AUCTIONEER_ROLE = keccak256("AUCTIONEER_ROLE");
    bytes32 public constant AWARD_TYPEHASH = keccak256("Award(bytes32 taskId,address agent,uint256 price)");
    bytes32 private constant _FEE_REASON = "task-fee";
    bytes32 private constant _TIMEOUT_REASON = "task-timeout";
    bytes32 private constant _DISPUTE_REASON = "dispute-lost";
    uint16 private constant _BPS = 10_000;
    uint16 private constant _MAX_FEE_BPS = 1_000;
    uint256 private constant _MAX_PANEL = 15;

    IERC20 private immutable _token;
    IReputationStaking private immutable _staking;
    IUsageCredits private immutable _credits;

    mapping(bytes32 taskId => Task) private _tasks;
    mapping(bytes32 taskId => Dispute) private _disputes;
    mapping(bytes32 taskId => mapping(address arbitrator => bool)) private _voted;
    mapping(bytes32 taskId => address[]) private _agentVoters;
    mapping(bytes32 taskId => address[]) private _requesterVoters;
    mapping(address arbitrator => uint256) private _arbitrationFees;
    mapping(uint64 epoch => mapping(address account => bool)) private _panelMember;
    mapping(uint64 epoch => uint8) private _panelSize;
    address[] private _panel;
    uint64 private _panelEpoch;

    // One slot, read together on the hot paths (create, release).
    uint128 private _accruedFees;
    uint16 private _feeBps;
    uint32 private _maxReviewWindow;
    uint32 private _disputeResponseWindow;
    uint32 private _disputeVotingPeriod;
    address private _treasury;
    uint128 private _disputeBond;
    IInsurancePool private _pool;

    /// @notice Constructor parameters.
    struct Params {
        uint16 feeBps;
        address treasury;
        uint32 maxReviewWindow;
        uint128 disputeBond;
        uint32 disputeResponseWindow;
        uint32 disputeVotingPeriod;
    }

    constructor(
        IERC20 paymentToken_,
        IReputationStaking staking,
        IUsageCredits credits,
        address admin,
        Params memory params
    ) EIP712("Ainur TaskEscrow", "1") {
        _token = paymentToken_;
        _staking = staking;
        _credits = credits;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMETER_ROLE, admin);
        _setFee(params.feeBps);
        _setTreasury(params.treasury);
        _setMaxReviewWindow(params.maxReviewWindow);
        _setDisputeBond(params.disputeBond);
        _setDisputeWindows(params.disputeResponseWindow, params.disputeVotingPeriod);
    }

    // ----- Funding and award -----

    /// @inheritdoc ITaskEscrow
    function createTask(
        bytes32 taskId,
        uint128 budget,
        uint40 deadline,
        uint32 reviewWindow,
        bool feeInCredits
    ) external nonReentrant {
        Task storage t = _tasks[taskId];
        if (t.status != Status.None) revert TaskEscrowTaskExists(taskId);
        if (
            budget == 0 || deadline <= block.timestamp || reviewWindow == 0 || reviewWindow > _maxReviewWindow
        ) {
            revert TaskEscrowInvalidTask(taskId, budget, deadline, reviewWindow);
        }
        t.requester = msg.sender;
        t.deadline = deadline;
        t.reviewWindow = reviewWindow;
        t.status = Status.Funded;
        t.feeInCredits = feeInCredits;
        t.budget = budget;
        emit TaskCreated(taskId, msg.sender, budget, deadline, reviewWindow, feeInCredits);
        if (feeInCredits) {
            uint256 fee = (uint256(budget) * _feeBps) / _BPS;
            if (fee != 0) _credits.burnFrom(msg.sender, fee, _FEE_REASON);
        }
        _token.safeTransferFrom(msg.sender, address(this), budget);
    }

    /// @inheritdoc ITaskEscrow
    function cancel(bytes32 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Funded);
        address requester = t.requester;
        if (msg.sender != requester) revert TaskEscrowNotRequester(taskId, msg.sender);
        uint256 budget = t.budget;
        t.status = Status.Refunded;
        emit TaskCancelled(taskId, budget);
        _token.safeTransfer(requester, budget);
    }

    /// @inheritdoc ITaskEscrow
    function award(
        bytes32 taskId,
        address agent,
        uint256 price,
        bytes calldata signature
    ) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Funded);
        if (block.timestamp >= t.deadline) revert TaskEscrowDeadlinePassed(taskId, t.deadline);
        uint256 budget = t.budget;
        if (agent == address(0) || price == 0 || price > budget) {
            revert TaskEscrowInvalidAward(taskId, agent, price, budget);
        }
        address signer = ECDSA.recover(awardDigest(taskId, agent, price), signature);
        address requester = t.requester;
        if (signer != requester && !hasRole(AUCTIONEER_ROLE, signer)) {
            revert TaskEscrowUnauthorisedAwardSigner(taskId, signer);
        }
        if (!_staking.isEligible(agent)) revert TaskEscrowAgentNotEligible(taskId, agent);
        t.agent = agent;
        t.price = uint128(price);
        t.status = Status.Awarded;
        uint256 refund = budget - price;
        emit TaskAwarded(taskId, agent, price, signer, refund);
        if (refund != 0) _token.safeTransfer(requester, refund);
    }

    // ----- Execution and payment -----

    /// @inheritdoc ITaskEscrow
    function submitResult(bytes32 taskId, bytes32 resultHash, bytes32 lineageLeaf) external {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Awarded);
        if (msg.sender != t.agent) revert TaskEscrowNotAgent(taskId, msg.sender);
        if (block.timestamp > t.deadline) revert TaskEscrowDeadlinePassed(taskId, t.deadline);
        if (resultHash == bytes32(0) || lineageLeaf == bytes32(0)) revert TaskEscrowInvalidResult(taskId);
        t.status = Status.Submitted;
        t.submittedAt = uint40(block.timestamp);
        t.resultHash = resultHash;
        t.lineageLeaf = lineageLeaf;
        emit ResultSubmitted(taskId, msg.sender, resultHash, lineageLeaf);
    }

    /// @inheritdoc ITaskEscrow
    function accept(bytes32 taskId, uint8 rating) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Submitted);
        if (msg.sender != t.requester) revert TaskEscrowNotRequester(taskId, msg.sender);
        _payAgent(taskId, t, rating);
    }

    /// @inheritdoc ITaskEscrow
    function release(bytes32 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Submitted);
        uint256 releasableAt = uint256(t.submittedAt) + t.reviewWindow;
        if (block.timestamp < releasableAt) revert TaskEscrowReviewWindowOpen(taskId, releasableAt);
        _payAgent(taskId, t, 0);
    }

    /// @inheritdoc ITaskEscrow
    function timeout(bytes32 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        Status status = t.status;
        if (status != Status.Funded && status != Status.Awarded) revert TaskEscrowWrongStatus(taskId, status);
        if (block.timestamp <= t.deadline) revert TaskEscrowDeadlineNotReached(taskId, t.deadline);
        if (status == Status.Funded) {
            uint256 budget = t.budget;
            address requester = t.requester;
            t.status = Status.Refunded;
            emit TaskRefunded(taskId, requester, budget);
            _token.safeTransfer(requester, budget);
        } else {
            _fail(
                taskId,
                t,
                IReputationStaking.SlashSource.EscrowOutcome,
                IReputationStaking.Outcome.Failed,
                _TIMEOUT_REASON
            );
        }
    }

    // ----- Disputes -----

    /// @inheritdoc ITaskEscrow
    function openDispute(bytes32 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Submitted);
        if (msg.sender != t.requester) revert TaskEscrowNotRequester(taskId, msg.sender);
        uint256 closesAt = uint256(t.submittedAt) + t.reviewWindow;
        if (block.timestamp >= closesAt) revert TaskEscrowReviewWindowClosed(taskId, closesAt);
        uint128 bond = _disputeBond;
        uint64 epoch = _panelEpoch;
        t.status = Status.Disputed;
        Dispute storage d = _disputes[taskId];
        d.bond = bond;
        d.openedAt = uint40(block.timestamp);
        d.panelEpoch = epoch;
        emit DisputeOpened(taskId, bond, epoch);
        if (bond != 0) _token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc ITaskEscrow
    function answerDispute(bytes32 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Disputed);
        if (msg.sender != t.agent) revert TaskEscrowNotAgent(taskId, msg.sender);
        Dispute storage d = _disputes[taskId];
        if (d.agentAnswered) revert TaskEscrowWrongStatus(taskId, Status.Disputed);
        uint256 closesAt = uint256(d.openedAt) + _disputeResponseWindow;
        if (block.timestamp >= closesAt) revert TaskEscrowResponseWindowClosed(taskId, closesAt);
        d.agentAnswered = true;
        d.answeredAt = uint40(block.timestamp);
        uint128 bond = d.bond;
        emit DisputeAnswered(taskId, bond);
        if (bond != 0) _token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc ITaskEscrow
    function vote(bytes32 taskId, bool forAgent) external {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Disputed);
        Dispute storage d = _disputes[taskId];
        // A panel member staked at the minimum, and no party to the task.
        if (
            !_panelMember[d.panelEpoch][msg.sender] ||
            msg.sender == t.agent ||
            msg.sender == t.requester ||
            !_staking.isEligible(msg.sender)
        ) revert TaskEscrowNotArbitrator(taskId, msg.sender);
        if (!d.agentAnswered || block.timestamp >= uint256(d.answeredAt) + _disputeVotingPeriod) {
            revert TaskEscrowVotingClosed(taskId);
        }
        if (_voted[taskId][msg.sender]) revert TaskEscrowAlreadyVoted(taskId, msg.sender);
        _voted[taskId][msg.sender] = true;
        if (forAgent) {
            d.votesForAgent += 1;
            _agentVoters[taskId].push(msg.sender);
        } else {
            d.votesForRequester += 1;
            _requesterVoters[taskId].push(msg.sender);
        }
        emit DisputeVoted(taskId, msg.sender, forAgent);
    }

    /// @inheritdoc ITaskEscrow
    function resolveDispute(bytes32 taskId) external nonReentrant {
        Task storage t = _tasks[taskId];
        _requireStatus(taskId, t.status, Status.Disputed);
        Dispute memory d = _disputes[taskId];
        bool agentWon;
        if (!d.agentAnswered) {
            // The agent did not answer in time: the requester wins by default, and no panel was involved.
            if (block.timestamp < uint256(d.openedAt) + _disputeResponseWindow)
                revert TaskEscrowDisputeUnresolved(taskId);
            emit DisputeResolved(taskId, false, 0, 0);
            if (d.bond != 0) _token.safeTransfer(t.requester, d.bond);
            _fail(
                taskId,
                t,
                IReputationStaking.SlashSource.DisputeRuling,
                IReputationStaking.Outcome.DisputeLost,
                _DISPUTE_REASON
            );
            return;
        }
        uint8 size = _panelSize[d.panelEpoch];
        if (d.votesForAgent * 2 > size) agentWon = true;
        else if (d.votesForRequester * 2 > size) agentWon = false;
        else if (block.timestamp >= uint256(d.answeredAt) + _disputeVotingPeriod) {
            // No majority of the panel: the side with more votes wins; a tie goes to the agent, whose result stands.
            agentWon = d.votesForAgent >= d.votesForRequester;
        } else revert TaskEscrowDisputeUnresolved(taskId);

        emit DisputeResolved(taskId, agentWon, d.votesForAgent, d.votesForRequester);
        // The winner's bond returns; the loser's bond is shared by the arbitrators who voted for the winner.
        address[] storage winners = agentWon ? _agentVoters[taskId] : _requesterVoters[taskId];
        _shareBond(d.bond, winners);
        if (agentWon) {
            if (d.bond != 0) _token.safeTransfer(t.agent, d.bond);
            _payAgent(taskId, t, 0);
        } else {
            if (d.bond != 0) _token.safeTransfer(t.requester, d.bond);
            _fail(
                taskId,
                t,
                IReputationStaking.SlashSource.DisputeRuling,
                IReputationStaking.Outcome.DisputeLost,
                _DISPUTE_REASON
            );
        }
    }

    /// @inheritdoc ITaskEscrow
    function claimArbitrationFees() external nonReentrant {
        uint256 amount = _arbitrationFees[msg.sender];
        if (amount == 0) revert TaskEscrowNothingToClaim(msg.sender);
        _arbitrationFees[msg.sender] = 0;
        emit ArbitrationFeesClaimed(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ITaskEscrow
    function sweepFees() external nonReentrant {
        uint256 amount = _accruedFees;
        if (amount == 0) revert TaskEscrowNoFees();
        address to = _treasury;
        _accruedFees = 0;
        emit FeesSwept(to, amount);
        _token.safeTransfer(to, amount);
    }

    /// @inheritdoc ITaskEscrow
    function markInsured(bytes32 taskId) external {
        if (msg.sender != address(_pool)) revert TaskEscrowNotInsurancePool(msg.sender);
        _tasks[taskId].insured = true;
        emit TaskInsured(taskId);
    }

    // ----- Views -----

    function taskOf(bytes32 taskId) external view returns (Task memory) {
        return _tasks[taskId];
    }

    function statusOf(bytes32 taskId) external view returns (Status) {
        return _tasks[taskId].status;
    }

    function disputeOf(bytes32 taskId) external view returns (Dispute memory) {
        return _disputes[taskId];
    }

    function arbitrationFeesOf(address arbitrator) external view returns (uint256) {
        return _arbitrationFees[arbitrator];
    }

    function isArbitrator(address account) external view returns (bool) {
        return _panelMember[_panelEpoch][account];
    }

    function arbitrationPanel() external view returns (address[] memory) {
        return _panel;
    }

    function paymentToken() external view returns (address) {
        return address(_token);
    }

    function feeBps() external view returns (uint16) {
        return _feeBps;
    }

    function accruedFees() external view returns (uint256) {
        return _accruedFees;
    }

    function treasury() external view returns (address) {
        return _treasury;
    }

    function maxReviewWindow() external view returns (uint32) {
        return _maxReviewWindow;
    }

    function disputeBond() external view returns (uint128) {
        return _disputeBond;
    }

    function disputeResponseWindow() external view returns (uint32) {
        return _disputeResponseWindow;
    }

    function disputeVotingPeriod() external view returns (uint32) {
        return _disputeVotingPeriod;
    }

    function insurancePool() external view returns (address) {
        return address(_pool);
    }

    /// @inheritdoc ITaskEscrow
    function awardDigest(bytes32 taskId, address agent, uint256 price) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(AWARD_TYPEHASH, taskId, agent, price)));
    }

    // ----- Parameters (timelock) -----

    function setFee(uint16 newFeeBps) external onlyRole(PARAMETER_ROLE) {
        _setFee(newFeeBps);
    }

    function setTreasury(address newTreasury) external onlyRole(PARAMETER_ROLE) {
        _setTreasury(newTreasury);
    }

    function setMaxReviewWindow(uint32 newWindow) external onlyRole(PARAMETER_ROLE) {
        _setMaxReviewWindow(newWindow);
    }

    function setDisputeBond(uint128 newBond) external onlyRole(PARAMETER_ROLE) {
        _setDisputeBond(newBond);
    }

    function setDisputeWindows(uint32 responseWindow, uint32 votingPeriod) external onlyRole(PARAMETER_ROLE) {
        _setDisputeWindows(responseWindow, votingPeriod);
    }

    function setArbitrationPanel(address[] calldata members) external onlyRole(PARAMETER_ROLE) {
        uint256 n = members.length;
        if (n == 0 || n > _MAX_PANEL || n % 2 == 0) revert TaskEscrowInvalidParameter("panelSize", n);
        uint64 epoch = _panelEpoch + 1;
        for (uint256 i; i < n; ++i) {
            address m = members[i];
            if (m == address(0) || _panelMember[epoch][m])
                revert TaskEscrowInvalidParameter("panelMember", uint160(m));
            _panelMember[epoch][m] = true;
        }
        _panelEpoch = epoch;
        _panelSize[epoch] = uint8(n);
        _panel = members;
        emit ArbitrationPanelUpdated(epoch, members);
    }

    function setInsurancePool(address newPool) external onlyRole(PARAMETER_ROLE) {
        address old = address(_pool);
        _pool = IInsurancePool(newPool);
        emit InsurancePoolUpdated(old, newPool);
    }

    // ----- Internals -----

    function _requireStatus(bytes32 taskId, Status status, Status expected) private pure {
        if (status != expected) revert TaskEscrowWrongStatus(taskId, status);
    }

    /// @dev Pays the agent `price - fee` and accrues `fee` for the treasury, records the completion, tells the pool.
    function _payAgent(bytes32 taskId, Task storage t, uint8 rating) private {
        address agent = t.agent;
        uint256 price = t.price;
        uint256 fee = t.feeInCredits ? 0 : (price * _feeBps) / _BPS;
        bool insured = t.insured;
        t.status = Status.Released;
        if (fee != 0) _accruedFees += uint128(fee);
        emit TaskReleased(taskId, agent, price - fee, fee, rating);
        _staking.recordOutcome(agent, IReputationStaking.Outcome.Completed, rating);
        _token.safeTransfer(agent, price - fee);
        if (insured) _pool.onTaskSettled(taskId, false);
    }

    /// @dev Refunds the price to the requester, slashes the agent up to the price, records the failure and
    /// pays any insurance claim.
    function _fail(
        bytes32 taskId,
        Task storage t,
        IReputationStaking.SlashSource source,
        IReputationStaking.Outcome outcome,
        bytes32 reason
    ) private {
        address agent = t.agent;
        address requester = t.requester;
        uint256 price = t.price;
        bool insured = t.insured;
        t.status = Status.Failed;
        _staking.recordOutcome(agent, outcome, 0);
        uint256 slashed = _staking.slash(agent, price, source, reason);
        emit TaskFailed(taskId, agent, price, slashed);
        _token.safeTransfer(requester, price);
        if (insured) _pool.onTaskSettled(taskId, true);
    }

    /// @dev Credits `bond` to `voters` in equal shares; the remainder (or all of it, without voters) accrues to the
    /// treasury with the protocol fees, so nothing is left unaccounted.
    function _shareBond(uint256 bond, address[] storage voters) private {
        if (bond == 0) return;
        uint256 n = voters.length;
        uint256 share = n == 0 ? 0 : bond / n;
        for (uint256 i; i < n; ++i) _arbitrationFees[voters[i]] += share;
        uint256 rest = bond - share * n;
        if (rest != 0) _accruedFees += uint128(rest);
    }

    function _setFee(uint16 newFeeBps) private {
        if (newFeeBps > _MAX_FEE_BPS) revert TaskEscrowInvalidParameter("feeBps", newFeeBps);
        uint16 old = _feeBps;
        _feeBps = newFeeBps;
        emit FeeUpdated(old, newFeeBps);
    }

    function _setTreasury(address newTreasury) private {
        if (newTreasury == address(0)) revert TaskEscrowInvalidParameter("treasury", 0);
        address old = _treasury;
        _treasury = newTreasury;
        emit TreasuryUpdated(old, newTreasury);
    }

    function _setMaxReviewWindow(uint32 newWindow) private {
        if (newWindow == 0) revert TaskEscrowInvalidParameter("maxReviewWindow", 0);
        uint32 old = _maxReviewWindow;
        _maxReviewWindow = newWindow;
        emit MaxReviewWindowUpdated(old, newWindow);
    }

    function _setDisputeBond(uint128 newBond) private {
        uint128 old = _disputeBond;
        _disputeBond = newBond;
        emit DisputeBondUpdated(old, newBond);
    }

    function _setDisputeWindows(uint32 responseWindow, uint32 votingPeriod) private {
        if (responseWindow == 0) revert TaskEscrowInvalidParameter("disputeResponseWindow", 0);
        if (votingPeriod == 0) revert TaskEscrowInvalidParameter("disputeVotingPeriod", 0);
        _disputeResponseWindow = responseWindow;
        _disputeVotingPeriod = votingPeriod;
        emit DisputeWindowsUpdated(responseWindow, votingPeriod);
    }
}
