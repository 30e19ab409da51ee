import { expect } from "chai";
import { network } from "hardhat";
import { TypedDataEncoder, encodeBytes32String, id, parseEther } from "ethers";
import { DAY, MIN_STAKE, signAward, stakedFixture } from "./fixture.ts";
import type { Ainur } from "./fixture.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const staked = () => stakedFixture(connection);

const S = { None: 0, Funded: 1, Awarded: 2, Submitted: 3, Disputed: 4, Released: 5, Refunded: 6, Failed: 7 };
const TASK = id("task");
const BUDGET = parseEther("50");
const PRICE = parseEther("40");
const BOND = parseEther("10");
const RESULT = id("result");
const LEAF = id("leaf");

async function create(a: Ainur, opts: { task?: string; budget?: bigint; feeInCredits?: boolean } = {}) {
  const deadline = (await networkHelpers.time.latest()) + DAY;
  await a.escrow
    .connect(a.actors.requester)
    .createTask(opts.task ?? TASK, opts.budget ?? BUDGET, deadline, DAY, opts.feeInCredits ?? false);
  return deadline;
}

async function award(a: Ainur, task = TASK, price = PRICE) {
  const sig = await signAward(a.escrow, a.actors.auctioneer, task, a.actors.agent.address, price);
  await a.escrow.connect(a.actors.agent).award(task, a.actors.agent.address, price, sig);
}

async function submitted(a: Ainur) {
  await create(a);
  await award(a);
  await a.escrow.connect(a.actors.agent).submitResult(TASK, RESULT, LEAF);
}

async function disputed(a: Ainur, answer = true) {
  await submitted(a);
  await a.escrow.connect(a.actors.requester).openDispute(TASK);
  if (answer) await a.escrow.connect(a.actors.agent).answerDispute(TASK);
}

describe("TaskEscrow", function () {
  describe("createTask and cancel", function () {
    it("escrows the budget and emits TaskCreated", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester } = a.actors;
      const deadline = (await networkHelpers.time.latest()) + DAY;
      const tx0 = a.escrow.connect(requester).createTask(TASK, BUDGET, deadline, DAY, false);
      await expect(tx0)
        .to.emit(a.escrow, "TaskCreated")
        .withArgs(TASK, requester.address, BUDGET, deadline, DAY, false);
      await expect(tx0).to.changeTokenBalances(ethers, a.token, [requester, a.escrow], [-BUDGET, BUDGET]);
      const t = await a.escrow.taskOf(TASK);
      expect([t.requester, t.status, t.budget]).to.deep.equal([requester.address, BigInt(S.Funded), BUDGET]);
    });

    it("rejects a duplicate id and invalid budgets, deadlines and review windows", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester } = a.actors;
      const now = await networkHelpers.time.latest();
      await create(a);
      await expect(a.escrow.connect(requester).createTask(TASK, BUDGET, now + DAY, DAY, false))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowTaskExists")
        .withArgs(TASK);
      const other = id("other");
      for (const [budget, deadline, window] of [
        [0n, now + DAY, DAY],
        [BUDGET, now, DAY],
        [BUDGET, now + DAY, 0],
        [BUDGET, now + DAY, 8 * DAY],
      ] as const) {
        await expect(a.escrow.connect(requester).createTask(other, budget, deadline, window, false))
          .to.be.revertedWithCustomError(a.escrow, "TaskEscrowInvalidTask")
          .withArgs(other, budget, deadline, window);
      }
    });

    it("burns the fee in UsageCredits when asked, and then takes no fee from the payment", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester, deployer, agent } = a.actors;
      const fee = (BUDGET * 100n) / 10_000n;
      await expect(create(a, { feeInCredits: true }))
        .to.be.revertedWithCustomError(a.credits, "UsageCreditsInsufficientBalance")
        .withArgs(requester.address, 0n, fee);
      await a.credits.connect(deployer).mint(requester.address, fee, encodeBytes32String("hosting"));
      const deadline = (await networkHelpers.time.latest()) + DAY;
      await expect(a.escrow.connect(requester).createTask(TASK, BUDGET, deadline, DAY, true))
        .to.emit(a.credits, "CreditsBurned")
        .withArgs(requester.address, fee, encodeBytes32String("task-fee"));
      await award(a);
      await a.escrow.connect(agent).submitResult(TASK, RESULT, LEAF);
      await expect(a.escrow.connect(requester).accept(TASK, 0))
        .to.emit(a.escrow, "TaskReleased")
        .withArgs(TASK, agent.address, PRICE, 0n, 0);
    });

    it("lets the requester cancel an unawarded task", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester, outsider } = a.actors;
      await create(a);
      await expect(a.escrow.connect(outsider).cancel(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNotRequester")
        .withArgs(TASK, outsider.address);
      const tx1 = a.escrow.connect(requester).cancel(TASK);
      await expect(tx1).to.emit(a.escrow, "TaskCancelled").withArgs(TASK, BUDGET);
      await expect(tx1).to.changeTokenBalance(ethers, a.token, requester, BUDGET);
      await expect(a.escrow.connect(requester).cancel(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(TASK, S.Refunded);
    });
  });

  describe("award", function () {
    it("fixes agent and price from an auctioneer's signature and refunds the rest", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester, agent, auctioneer, outsider } = a.actors;
      await create(a);
      const sig = await signAward(a.escrow, auctioneer, TASK, agent.address, PRICE);
      const tx2 = a.escrow.connect(outsider).award(TASK, agent.address, PRICE, sig);
      await expect(tx2)
        .to.emit(a.escrow, "TaskAwarded")
        .withArgs(TASK, agent.address, PRICE, auctioneer.address, BUDGET - PRICE);
      await expect(tx2).to.changeTokenBalance(ethers, a.token, requester, BUDGET - PRICE);
      expect(await a.escrow.statusOf(TASK)).to.equal(S.Awarded);
    });

    it("accepts the requester's own signature, with no refund when price equals budget", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester, agent } = a.actors;
      await create(a);
      const sig = await signAward(a.escrow, requester, TASK, agent.address, BUDGET);
      await expect(a.escrow.connect(agent).award(TASK, agent.address, BUDGET, sig))
        .to.emit(a.escrow, "TaskAwarded")
        .withArgs(TASK, agent.address, BUDGET, requester.address, 0n);
    });

    it("matches the EIP-712 digest that off-chain signers compute", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { chainId } = await ethers.provider.getNetwork();
      const domain = {
        name: "Ainur TaskEscrow",
        version: "1",
        chainId,
        verifyingContract: await a.escrow.getAddress(),
      };
      const types = {
        Award: [
          { name: "taskId", type: "bytes32" },
          { name: "agent", type: "address" },
          { name: "price", type: "uint256" },
        ],
      };
      const value = { taskId: TASK, agent: a.actors.agent.address, price: PRICE };
      expect(await a.escrow.awardDigest(TASK, a.actors.agent.address, PRICE)).to.equal(
        TypedDataEncoder.hash(domain, types, value),
      );
    });

    it("rejects bad awards: status, deadline, price, signer, eligibility", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { agent, auctioneer, outsider, requester2 } = a.actors;
      const missing = id("missing");
      const sig = async (price: bigint, who = auctioneer, to = agent.address, task = TASK) =>
        signAward(a.escrow, who, task, to, price);
      await expect(
        a.escrow.award(missing, agent.address, PRICE, await sig(PRICE, auctioneer, agent.address, missing)),
      )
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(missing, S.None);
      await create(a);
      await expect(a.escrow.award(TASK, agent.address, 0n, await sig(0n)))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowInvalidAward")
        .withArgs(TASK, agent.address, 0n, BUDGET);
      await expect(a.escrow.award(TASK, agent.address, BUDGET + 1n, await sig(BUDGET + 1n)))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowInvalidAward")
        .withArgs(TASK, agent.address, BUDGET + 1n, BUDGET);
      await expect(
        a.escrow.award(TASK, ethers.ZeroAddress, PRICE, await sig(PRICE, auctioneer, ethers.ZeroAddress)),
      )
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowInvalidAward")
        .withArgs(TASK, ethers.ZeroAddress, PRICE, BUDGET);
      await expect(a.escrow.award(TASK, agent.address, PRICE, await sig(PRICE, outsider)))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowUnauthorisedAwardSigner")
        .withArgs(TASK, outsider.address);
      // a signature over another price does not authorise this one
      await expect(
        a.escrow.award(TASK, agent.address, PRICE, await sig(PRICE - 1n)),
      ).to.be.revertedWithCustomError(a.escrow, "TaskEscrowUnauthorisedAwardSigner");
      await expect(
        a.escrow.award(TASK, requester2.address, PRICE, await sig(PRICE, auctioneer, requester2.address)),
      )
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowAgentNotEligible")
        .withArgs(TASK, requester2.address);
      const deadline = (await a.escrow.taskOf(TASK)).deadline;
      await networkHelpers.time.increaseTo(deadline);
      await expect(a.escrow.award(TASK, agent.address, PRICE, await sig(PRICE)))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowDeadlinePassed")
        .withArgs(TASK, deadline);
    });

    it("refuses an agent that unbonded below the minimum stake", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { agent } = a.actors;
      await create(a);
      await a.staking.connect(agent).requestUnbond(MIN_STAKE + 1n);
      await expect(award(a))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowAgentNotEligible")
        .withArgs(TASK, agent.address);
    });
  });

  describe("submit, accept, release", function () {
    it("takes the agent's result and emits ResultSubmitted", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { agent, outsider } = a.actors;
      await create(a);
      await award(a);
      await expect(a.escrow.connect(outsider).submitResult(TASK, RESULT, LEAF))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNotAgent")
        .withArgs(TASK, outsider.address);
      await expect(a.escrow.connect(agent).submitResult(TASK, RESULT, ethers.ZeroHash))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowInvalidResult")
        .withArgs(TASK);
      await expect(a.escrow.connect(agent).submitResult(TASK, ethers.ZeroHash, LEAF))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowInvalidResult")
        .withArgs(TASK);
      await expect(a.escrow.connect(agent).submitResult(TASK, RESULT, LEAF))
        .to.emit(a.escrow, "ResultSubmitted")
        .withArgs(TASK, agent.address, RESULT, LEAF);
      const t = await a.escrow.taskOf(TASK);
      expect([t.resultHash, t.lineageLeaf, t.status]).to.deep.equal([RESULT, LEAF, BigInt(S.Submitted)]);
      await expect(a.escrow.connect(agent).submitResult(TASK, RESULT, LEAF))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(TASK, S.Submitted);
    });

    it("rejects a result after the deadline", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const deadline = await create(a);
      await award(a);
      await networkHelpers.time.increaseTo(deadline + 1);
      await expect(a.escrow.connect(a.actors.agent).submitResult(TASK, RESULT, LEAF))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowDeadlinePassed")
        .withArgs(TASK, deadline);
    });

    it("pays the agent minus the fee on acceptance and records the rating", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester, agent, outsider } = a.actors;
      await submitted(a);
      await expect(a.escrow.connect(outsider).accept(TASK, 5))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNotRequester")
        .withArgs(TASK, outsider.address);
      const fee = (PRICE * 100n) / 10_000n;
      const tx3 = a.escrow.connect(requester).accept(TASK, 5);
      await expect(tx3)
        .to.emit(a.escrow, "TaskReleased")
        .withArgs(TASK, agent.address, PRICE - fee, fee, 5)
        .and.to.emit(a.staking, "OutcomeRecorded");
      await expect(tx3).to.changeTokenBalances(
        ethers,
        a.token,
        [agent, a.escrow],
        [PRICE - fee, -(PRICE - fee)],
      );
      expect(await a.escrow.accruedFees()).to.equal(fee);
      const sweep = a.escrow.connect(outsider).sweepFees();
      await expect(sweep)
        .to.emit(a.escrow, "FeesSwept")
        .withArgs(await a.timelock.getAddress(), fee);
      await expect(sweep).to.changeTokenBalances(ethers, a.token, [a.timelock, a.escrow], [fee, -fee]);
      await expect(a.escrow.sweepFees()).to.be.revertedWithCustomError(a.escrow, "TaskEscrowNoFees");
      const r = await a.staking.recordOf(agent.address);
      expect([r.completed, r.ratings, r.ratingSum]).to.deep.equal([1n, 1n, 5n]);
      await expect(a.escrow.connect(requester).accept(TASK, 5))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(TASK, S.Released);
    });

    it("releases automatically once the review window has passed in silence", async function () {
      const a = await networkHelpers.loadFixture(staked);
      await submitted(a);
      const t = await a.escrow.taskOf(TASK);
      const releasableAt = t.submittedAt + t.reviewWindow;
      await expect(a.escrow.release(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowReviewWindowOpen")
        .withArgs(TASK, releasableAt);
      await networkHelpers.time.increaseTo(releasableAt);
      await expect(a.escrow.connect(a.actors.outsider).release(TASK)).to.emit(a.escrow, "TaskReleased");
    });
  });

  describe("timeout", function () {
    it("refunds an unawarded task after the deadline", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const deadline = await create(a);
      await expect(a.escrow.timeout(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowDeadlineNotReached")
        .withArgs(TASK, deadline);
      await networkHelpers.time.increaseTo(deadline + 1);
      const tx4 = a.escrow.timeout(TASK);
      await expect(tx4).to.emit(a.escrow, "TaskRefunded").withArgs(TASK, a.actors.requester.address, BUDGET);
      await expect(tx4).to.changeTokenBalance(ethers, a.token, a.actors.requester, BUDGET);
    });

    it("fails an awarded task that missed its deadline: refund, slash to the pool, failure recorded", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { agent, requester } = a.actors;
      const deadline = await create(a);
      await award(a);
      await networkHelpers.time.increaseTo(deadline + 1);
      const slash = PRICE; // cap: 10% of 200 = 20 < price
      const capped = (MIN_STAKE * 2n) / 10n;
      expect(capped).to.be.lessThan(slash);
      const tx5 = a.escrow.timeout(TASK);
      await expect(tx5)
        .to.emit(a.escrow, "TaskFailed")
        .withArgs(TASK, agent.address, PRICE, capped)
        .and.to.emit(a.staking, "StakeSlashed")
        .withArgs(agent.address, 0, capped, encodeBytes32String("task-timeout"), await a.pool.getAddress());
      await expect(tx5).to.changeTokenBalances(ethers, a.token, [requester, a.pool], [PRICE, capped]);
      expect((await a.staking.recordOf(agent.address)).failed).to.equal(1n);
      await expect(a.escrow.timeout(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(TASK, S.Failed);
    });
  });

  describe("disputes", function () {
    it("opens and answers a dispute with equal bonds", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester, agent, outsider } = a.actors;
      await submitted(a);
      await expect(a.escrow.connect(outsider).openDispute(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNotRequester")
        .withArgs(TASK, outsider.address);
      const tx6 = a.escrow.connect(requester).openDispute(TASK);
      await expect(tx6).to.emit(a.escrow, "DisputeOpened").withArgs(TASK, BOND, 1);
      await expect(tx6).to.changeTokenBalance(ethers, a.token, requester, -BOND);
      await expect(a.escrow.connect(outsider).answerDispute(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNotAgent")
        .withArgs(TASK, outsider.address);
      const tx7 = a.escrow.connect(agent).answerDispute(TASK);
      await expect(tx7).to.emit(a.escrow, "DisputeAnswered").withArgs(TASK, BOND);
      await expect(tx7).to.changeTokenBalance(ethers, a.token, agent, -BOND);
      await expect(a.escrow.connect(agent).answerDispute(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(TASK, S.Disputed);
      const d = await a.escrow.disputeOf(TASK);
      expect([d.bond, d.agentAnswered, d.panelEpoch]).to.deep.equal([BOND, true, 1n]);
    });

    it("rejects a dispute after the review window and an answer after the response window", async function () {
      const a = await networkHelpers.loadFixture(staked);
      await submitted(a);
      const t = await a.escrow.taskOf(TASK);
      await networkHelpers.time.increaseTo(t.submittedAt + t.reviewWindow);
      await expect(a.escrow.connect(a.actors.requester).openDispute(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowReviewWindowClosed")
        .withArgs(TASK, t.submittedAt + t.reviewWindow);
      const b = await networkHelpers.loadFixture(staked);
      await disputed(b, false);
      const d = await b.escrow.disputeOf(TASK);
      await networkHelpers.time.increaseTo(d.openedAt + BigInt(2 * DAY));
      await expect(b.escrow.connect(b.actors.agent).answerDispute(TASK))
        .to.be.revertedWithCustomError(b.escrow, "TaskEscrowResponseWindowClosed")
        .withArgs(TASK, d.openedAt + BigInt(2 * DAY));
    });

    it("lets only staked panel members vote, once, while voting is open", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { arb1, arb2, outsider } = a.actors;
      await disputed(a, false);
      await expect(a.escrow.connect(arb1).vote(TASK, true))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowVotingClosed")
        .withArgs(TASK);
      await a.escrow.connect(a.actors.agent).answerDispute(TASK);
      await expect(a.escrow.connect(outsider).vote(TASK, true))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNotArbitrator")
        .withArgs(TASK, outsider.address);
      await expect(a.escrow.connect(arb1).vote(TASK, true))
        .to.emit(a.escrow, "DisputeVoted")
        .withArgs(TASK, arb1.address, true);
      await expect(a.escrow.connect(arb1).vote(TASK, false))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowAlreadyVoted")
        .withArgs(TASK, arb1.address);
      // an arbitrator that unbonds below the minimum loses its vote
      await a.staking.connect(arb2).requestUnbond(MIN_STAKE * 2n);
      await expect(a.escrow.connect(arb2).vote(TASK, true))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNotArbitrator")
        .withArgs(TASK, arb2.address);
      await networkHelpers.time.increase(3 * DAY);
      await expect(a.escrow.connect(a.actors.arb3).vote(TASK, true)).to.be.revertedWithCustomError(
        a.escrow,
        "TaskEscrowVotingClosed",
      );
    });

    it("a panel member who is a party to the task cannot vote on it", async function () {
      const b = await networkHelpers.loadFixture(staked);
      const { arb3, requester, auctioneer } = b.actors;
      await create(b);
      await b.escrow.award(
        TASK,
        arb3.address,
        PRICE,
        await signAward(b.escrow, auctioneer, TASK, arb3.address, PRICE),
      );
      await b.escrow.connect(arb3).submitResult(TASK, RESULT, LEAF);
      await b.escrow.connect(requester).openDispute(TASK);
      await b.escrow.connect(arb3).answerDispute(TASK);
      await expect(b.escrow.connect(arb3).vote(TASK, true))
        .to.be.revertedWithCustomError(b.escrow, "TaskEscrowNotArbitrator")
        .withArgs(TASK, arb3.address);
    });

    it("majority for the agent: agent paid, its bond back, the requester's bond to the majority", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { agent, arb1, arb2, arb3 } = a.actors;
      await disputed(a);
      await a.escrow.connect(arb1).vote(TASK, true);
      await expect(a.escrow.resolveDispute(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowDisputeUnresolved")
        .withArgs(TASK);
      await a.escrow.connect(arb3).vote(TASK, false);
      await a.escrow.connect(arb2).vote(TASK, true);
      const fee = (PRICE * 100n) / 10_000n;
      const tx8 = a.escrow.resolveDispute(TASK);
      await expect(tx8)
        .to.emit(a.escrow, "DisputeResolved")
        .withArgs(TASK, true, 2, 1)
        .and.to.emit(a.escrow, "TaskReleased")
        .withArgs(TASK, agent.address, PRICE - fee, fee, 0);
      await expect(tx8).to.changeTokenBalance(ethers, a.token, agent, PRICE - fee + BOND);
      expect(await a.escrow.arbitrationFeesOf(arb1.address)).to.equal(BOND / 2n);
      expect(await a.escrow.arbitrationFeesOf(arb2.address)).to.equal(BOND / 2n);
      expect(await a.escrow.arbitrationFeesOf(arb3.address)).to.equal(0n);
      const tx9 = a.escrow.connect(arb1).claimArbitrationFees();
      await expect(tx9)
        .to.emit(a.escrow, "ArbitrationFeesClaimed")
        .withArgs(arb1.address, BOND / 2n);
      await expect(tx9).to.changeTokenBalance(ethers, a.token, arb1, BOND / 2n);
      await expect(a.escrow.connect(arb3).claimArbitrationFees())
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNothingToClaim")
        .withArgs(arb3.address);
    });

    it("majority for the requester: refund, dispute slash, failure recorded", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { agent, requester, arb1, arb2 } = a.actors;
      await disputed(a);
      await a.escrow.connect(arb1).vote(TASK, false);
      await a.escrow.connect(arb2).vote(TASK, false);
      const capped = (MIN_STAKE * 2n * 2_000n) / 10_000n;
      const tx10 = a.escrow.resolveDispute(TASK);
      await expect(tx10)
        .to.emit(a.escrow, "DisputeResolved")
        .withArgs(TASK, false, 0, 2)
        .and.to.emit(a.staking, "StakeSlashed")
        .withArgs(agent.address, 1, capped, encodeBytes32String("dispute-lost"), await a.pool.getAddress())
        .and.to.emit(a.escrow, "TaskFailed")
        .withArgs(TASK, agent.address, PRICE, capped);
      await expect(tx10).to.changeTokenBalance(ethers, a.token, requester, PRICE + BOND);
      expect((await a.staking.recordOf(agent.address)).disputesLost).to.equal(1n);
    });

    it("runs a dispute without bonds when governance sets the bond to zero", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { agent, arb1, arb2 } = a.actors;
      await a.escrow.connect(a.timelockSigner).setDisputeBond(0);
      await submitted(a);
      const open = a.escrow.connect(a.actors.requester).openDispute(TASK);
      await expect(open).to.emit(a.escrow, "DisputeOpened").withArgs(TASK, 0, 1);
      await expect(open).to.changeTokenBalance(ethers, a.token, a.actors.requester, 0);
      await a.escrow.connect(agent).answerDispute(TASK);
      await a.escrow.connect(arb1).vote(TASK, true);
      await a.escrow.connect(arb2).vote(TASK, true);
      await expect(a.escrow.resolveDispute(TASK))
        .to.emit(a.escrow, "DisputeResolved")
        .withArgs(TASK, true, 2, 0);
      expect(await a.escrow.arbitrationFeesOf(arb1.address)).to.equal(0n);
    });

    it("the requester wins by default when the agent does not answer", async function () {
      const a = await networkHelpers.loadFixture(staked);
      await disputed(a, false);
      await expect(a.escrow.resolveDispute(TASK)).to.be.revertedWithCustomError(
        a.escrow,
        "TaskEscrowDisputeUnresolved",
      );
      await networkHelpers.time.increase(2 * DAY);
      const tx11 = a.escrow.resolveDispute(TASK);
      await expect(tx11).to.emit(a.escrow, "DisputeResolved").withArgs(TASK, false, 0, 0);
      await expect(tx11).to.changeTokenBalance(ethers, a.token, a.actors.requester, PRICE + BOND);
      expect(await a.escrow.statusOf(TASK)).to.equal(S.Failed);
    });

    it("a tie at the end of voting goes to the agent; an unshared bond accrues to the treasury", async function () {
      const a = await networkHelpers.loadFixture(staked);
      await disputed(a);
      await networkHelpers.time.increase(3 * DAY);
      await expect(a.escrow.resolveDispute(TASK))
        .to.emit(a.escrow, "DisputeResolved")
        .withArgs(TASK, true, 0, 0);
      expect(await a.escrow.accruedFees()).to.equal(BOND + (PRICE * 100n) / 10_000n);
    });
  });

  describe("parameters", function () {
    it("every setter is timelock-only, emits its event and validates", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { outsider, arb1, arb2, arb3 } = a.actors;
      const tl = a.timelockSigner;
      const role = await a.escrow.PARAMETER_ROLE();
      const calls: [string, unknown[]][] = [
        ["setFee", [50]],
        ["setTreasury", [outsider.address]],
        ["setMaxReviewWindow", [DAY]],
        ["setDisputeBond", [1n]],
        ["setDisputeWindows", [DAY, DAY]],
        ["setArbitrationPanel", [[arb1.address]]],
        ["setInsurancePool", [outsider.address]],
      ];
      for (const [fn, args] of calls) {
        await expect(a.escrow.connect(outsider)[fn](...args))
          .to.be.revertedWithCustomError(a.escrow, "AccessControlUnauthorizedAccount")
          .withArgs(outsider.address, role);
      }
      await expect(a.escrow.connect(tl).setFee(50)).to.emit(a.escrow, "FeeUpdated").withArgs(100, 50);
      await expect(a.escrow.connect(tl).setTreasury(outsider.address))
        .to.emit(a.escrow, "TreasuryUpdated")
        .withArgs(await tl.getAddress(), outsider.address);
      await expect(a.escrow.connect(tl).setMaxReviewWindow(DAY))
        .to.emit(a.escrow, "MaxReviewWindowUpdated")
        .withArgs(7 * DAY, DAY);
      await expect(a.escrow.connect(tl).setDisputeBond(1n))
        .to.emit(a.escrow, "DisputeBondUpdated")
        .withArgs(BOND, 1n);
      await expect(a.escrow.connect(tl).setDisputeWindows(DAY, 2 * DAY))
        .to.emit(a.escrow, "DisputeWindowsUpdated")
        .withArgs(DAY, 2 * DAY);
      await expect(a.escrow.connect(tl).setArbitrationPanel([arb1.address, arb2.address, arb3.address]))
        .to.emit(a.escrow, "ArbitrationPanelUpdated")
        .withArgs(2, [arb1.address, arb2.address, arb3.address]);
      expect(await a.escrow.arbitrationPanel()).to.deep.equal([arb1.address, arb2.address, arb3.address]);
      expect(await a.escrow.isArbitrator(arb1.address)).to.equal(true);
      await expect(a.escrow.connect(tl).setInsurancePool(outsider.address))
        .to.emit(a.escrow, "InsurancePoolUpdated")
        .withArgs(await a.pool.getAddress(), outsider.address);
      const bad: [string, unknown[], string, unknown][] = [
        ["setFee", [1001], "feeBps", 1001],
        ["setTreasury", [ethers.ZeroAddress], "treasury", 0],
        ["setMaxReviewWindow", [0], "maxReviewWindow", 0],
        ["setDisputeWindows", [0, 1], "disputeResponseWindow", 0],
        ["setDisputeWindows", [1, 0], "disputeVotingPeriod", 0],
        ["setArbitrationPanel", [[]], "panelSize", 0],
        ["setArbitrationPanel", [[arb1.address, arb2.address]], "panelSize", 2],
        [
          "setArbitrationPanel",
          [[arb1.address, arb1.address, arb2.address]],
          "panelMember",
          BigInt(arb1.address),
        ],
        ["setArbitrationPanel", [[ethers.ZeroAddress]], "panelMember", 0],
      ];
      for (const [fn, args, name, value] of bad) {
        await expect(a.escrow.connect(tl)[fn](...args))
          .to.be.revertedWithCustomError(a.escrow, "TaskEscrowInvalidParameter")
          .withArgs(encodeBytes32String(name), value);
      }
      expect(await a.escrow.feeBps()).to.equal(50);
      expect(await a.escrow.treasury()).to.equal(outsider.address);
      expect(await a.escrow.maxReviewWindow()).to.equal(DAY);
      expect(await a.escrow.disputeBond()).to.equal(1n);
      expect(await a.escrow.disputeResponseWindow()).to.equal(DAY);
      expect(await a.escrow.disputeVotingPeriod()).to.equal(2 * DAY);
      expect(await a.escrow.insurancePool()).to.equal(outsider.address);
      expect(await a.escrow.paymentToken()).to.equal(await a.token.getAddress());
    });

    it("markInsured is for the insurance pool only", async function () {
      const a = await networkHelpers.loadFixture(staked);
      await expect(a.escrow.connect(a.actors.outsider).markInsured(TASK))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowNotInsurancePool")
        .withArgs(a.actors.outsider.address);
    });
  });
});
