// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ITaskEscrow
/// @notice Holds a requester's payment for a task: funded with a budget, awarded to an agent at a price
/// (the rest of the budget is refunded), released to the agent on acceptance or after the review window,
/// refunded on a missed deadline (the agent is slashed and any insurance claim paid), or decided by a panel
/// of staked arbitrators, where the losing side pays the cost. Protocol fees accrue here until swept to the
/// treasury. Every path conserves funds exactly.
/// @dev Awards are EIP-712 typed data `Award(bytes32 taskId,address agent,uint256 price)` in the domain
/// `{name: "Ainur TaskEscrow", version: "1", chainId, verifyingContract: <this escrow>}`, signed by the
/// requester or by an address holding `AUCTIONEER_ROLE` (the market's clearing key). Anyone may submit it.
interface ITaskEscrow {
    /// @notice A task's life: Funded → Awarded → Submitted → (Disputed →) Released | Failed; Funded → Refunded.
    enum Status {
        None,
        Funded, // budget escrowed, no agent yet
        Awarded, // agent and price fixed
        Submitted, // result submitted, review window running
        Disputed, // before the arbitration panel
        Released, // agent paid
        Refunded, // never awarded: budget returned
        Failed // agent failed (missed deadline or lost dispute): price refunded, agent slashed, cover paid
    }

    /// @notice A task. `escrowed` is what the escrow holds for it (budget, then price, then 0).
    struct Task {
        address requester;
        uint40 deadline;
        uint32 reviewWindow;
        Status status;
        bool feeInCredits;
        bool insured;
        address agent;
        uint40 submittedAt;
        uint128 budget;
        uint128 price;
        bytes32 resultHash;
        bytes32 lineageLeaf;
    }

    /// @notice A dispute. Bonds are equal; the loser's bond pays the arbitrators who voted with the majority.
    struct Dispute {
        uint128 bond;
        uint40 openedAt;
        uint40 answeredAt;
        uint64 panelEpoch;
        uint8 votesForAgent;
        uint8 votesForRequester;
        bool agentAnswered;
    }

    event TaskCreated(
        bytes32 indexed taskId,
        address indexed requester,
        uint256 budget,
        uint40 deadline,
        uint32 reviewWindow,
        bool feeInCredits
    );
    event TaskCancelled(bytes32 indexed taskId, uint256 refunded);
    event TaskAwarded(
        bytes32 indexed taskId,
        address indexed agent,
        uint256 price,
        address signer,
        uint256 refunded
    );
    event ResultSubmitted(
        bytes32 indexed taskId,
        address indexed agent,
        bytes32 resultHash,
        bytes32 lineageLeaf
    );
    event TaskReleased(
        bytes32 indexed taskId,
        address indexed agent,
        uint256 paid,
        uint256 fee,
        uint8 rating
    );
    event TaskRefunded(bytes32 indexed taskId, address indexed requester, uint256 refunded);
    event TaskFailed(bytes32 indexed taskId, address indexed agent, uint256 refunded, uint256 slashed);
    event DisputeOpened(bytes32 indexed taskId, uint256 bond, uint64 panelEpoch);
    event DisputeAnswered(bytes32 indexed taskId, uint256 bond);
    event DisputeVoted(bytes32 indexed taskId, address indexed arbitrator, bool forAgent);
    event DisputeResolved(
        bytes32 indexed taskId,
        bool agentWon,
        uint8 votesForAgent,
        uint8 votesForRequester
    );
    event ArbitrationFeesClaimed(address indexed arbitrator, uint256 amount);
    event FeesSwept(address indexed treasury, uint256 amount);
    event TaskInsured(bytes32 indexed taskId);
    event ArbitrationPanelUpdated(uint64 indexed epoch, address[] members);
    event FeeUpdated(uint16 oldFeeBps, uint16 newFeeBps);
    event TreasuryUpdated(address oldTreasury, address newTreasury);
    event MaxReviewWindowUpdated(uint32 oldWindow, uint32 newWindow);
    event DisputeBondUpdated(uint128 oldBond, uint128 newBond);
    event DisputeWindowsUpdated(uint32 responseWindow, uint32 votingPeriod);
    event InsurancePoolUpdated(address oldPool, address newPool);

    error TaskEscrowTaskExists(bytes32 taskId);
    error TaskEscrowInvalidTask(bytes32 taskId, uint256 budget, uint40 deadline, uint32 reviewWindow);
    error TaskEscrowWrongStatus(bytes32 taskId, Status status);
    error TaskEscrowNotRequester(bytes32 taskId, address caller);
    error TaskEscrowNotAgent(bytes32 taskId, address caller);
    error TaskEscrowDeadlinePassed(bytes32 taskId, uint40 deadline);
    error TaskEscrowDeadlineNotReached(bytes32 taskId, uint40 deadline);
    error TaskEscrowInvalidAward(bytes32 taskId, address agent, uint256 price, uint256 budget);
    error TaskEscrowUnauthorisedAwardSigner(bytes32 taskId, address signer);
    error TaskEscrowAgentNotEligible(bytes32 taskId, address agent);
    error TaskEscrowInvalidResult(bytes32 taskId);
    error TaskEscrowReviewWindowOpen(bytes32 taskId, uint256 releasableAt);
    error TaskEscrowReviewWindowClosed(bytes32 taskId, uint256 closedAt);
    error TaskEscrowResponseWindowClosed(bytes32 taskId, uint256 closedAt);
    error TaskEscrowNotArbitrator(bytes32 taskId, address caller);
    error TaskEscrowAlreadyVoted(bytes32 taskId, address arbitrator);
    error TaskEscrowVotingClosed(bytes32 taskId);
    error TaskEscrowDisputeUnresolved(bytes32 taskId);
    error TaskEscrowNothingToClaim(address arbitrator);
    error TaskEscrowNoFees();
    error TaskEscrowNotInsurancePool(address caller);
    error TaskEscrowInvalidParameter(bytes32 parameter, uint256 value);

    /// @notice Escrows `budget` payment tokens from the caller for `taskId`. With `feeInCredits`, the
    /// protocol fee on the budget is burned in UsageCredits now and no fee is taken from the payment later.
    function createTask(
        bytes32 taskId,
        uint128 budget,
        uint40 deadline,
        uint32 reviewWindow,
        bool feeInCredits
    ) external;

    /// @notice The requester takes back a task nobody was awarded yet.
    function cancel(bytes32 taskId) external;

    /// @notice Fixes the agent and the price from a signed award; refunds `budget - price`.
    function award(bytes32 taskId, address agent, uint256 price, bytes calldata signature) external;

    /// @notice The awarded agent submits its result hash and lineage leaf before the deadline.
    function submitResult(bytes32 taskId, bytes32 resultHash, bytes32 lineageLeaf) external;

    /// @notice The requester accepts the result (rating 0 = none, else 1..5): the agent is paid.
    function accept(bytes32 taskId, uint8 rating) external;

    /// @notice Anyone releases the payment once the review window has passed in silence.
    function release(bytes32 taskId) external;

    /// @notice Anyone settles a task whose deadline passed without a result: refund, slash, insurance.
    function timeout(bytes32 taskId) external;

    /// @notice The requester disputes a submitted result within the review window, posting the bond.
    function openDispute(bytes32 taskId) external;

    /// @notice The agent answers the dispute within the response window, posting the same bond.
    function answerDispute(bytes32 taskId) external;

    /// @notice A member of the dispute's arbitration panel, staked at or above the minimum and neither the
    /// task's agent nor its requester, votes once.
    function vote(bytes32 taskId, bool forAgent) external;

    /// @notice Anyone resolves a dispute once a side has a majority of the panel, the voting period has
    /// ended, or the agent failed to answer in time.
    function resolveDispute(bytes32 taskId) external;

    /// @notice An arbitrator withdraws the fees it earned.
    function claimArbitrationFees() external;

    /// @notice Anyone sends the accrued protocol fees (and unshared dispute bonds) to the treasury.
    function sweepFees() external;

    /// @notice The insurance pool marks a task as insured, so the escrow tells it how the task ended.
    function markInsured(bytes32 taskId) external;

    function taskOf(bytes32 taskId) external view returns (Task memory);
    function statusOf(bytes32 taskId) external view returns (Status);
    function disputeOf(bytes32 taskId) external view returns (Dispute memory);
    function arbitrationFeesOf(address arbitrator) external view returns (uint256);
    function isArbitrator(address account) external view returns (bool);
    function arbitrationPanel() external view returns (address[] memory);
    function paymentToken() external view returns (address);
    function feeBps() external view returns (uint16);
    function treasury() external view returns (address);
    function accruedFees() external view returns (uint256);
    function maxReviewWindow() external view returns (uint32);
    function disputeBond() external view returns (uint128);
    function disputeResponseWindow() external view returns (uint32);
    function disputeVotingPeriod() external view returns (uint32);
    function insurancePool() external view returns (address);
    function awardDigest(bytes32 taskId, address agent, uint256 price) external view returns (bytes32);

    function setFee(uint16 newFeeBps) external;
    function setTreasury(address newTreasury) external;
    function setMaxReviewWindow(uint32 newWindow) external;
    function setDisputeBond(uint128 newBond) external;
    function setDisputeWindows(uint32 responseWindow, uint32 votingPeriod) external;
    function setArbitrationPanel(address[] calldata members) external;
    function setInsurancePool(address newPool) external;
}
