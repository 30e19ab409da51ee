import { expect } from "chai";
import { network } from "hardhat";
import { MaxUint256, id, parseEther } from "ethers";
import { DAY, MIN_STAKE, deployFixture, signAward, stakedFixture } from "./fixture.ts";
import { untyped } from "./helpers.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const staked = () => stakedFixture(connection);
const TASK = id("task");
const PRICE = parseEther("40");

/** A staking + escrow pair on a token that calls back into them during transfers. */
async function maliciousTokenFixture() {
  const a = await deployFixture(connection);
  const { deployer, requester, agent, auctioneer } = a.actors;
  const token = untyped(await ethers.deployContract("ReentrantToken"));
  const staking = untyped(
    await ethers.deployContract("ReputationStaking", [
      await token.getAddress(),
      await a.agents.getAddress(),
      deployer.address,
      [MIN_STAKE, 7 * DAY, 30 * DAY, deployer.address, 1000, 2000, 5000],
    ]),
  );
  const escrow = untyped(
    await ethers.deployContract("TaskEscrow", [
      await token.getAddress(),
      await staking.getAddress(),
      await a.credits.getAddress(),
      deployer.address,
      [100, deployer.address, 7 * DAY, parseEther("10"), 2 * DAY, 3 * DAY],
    ]),
  );
  for (const r of ["ESCROW_SLASHER_ROLE", "DISPUTE_SLASHER_ROLE", "RECORDER_ROLE"])
    await staking.grantRole(id(r), await escrow.getAddress());
  await escrow.grantRole(id("AUCTIONEER_ROLE"), auctioneer.address);
  for (const who of [requester, agent]) {
    await token.mint(who.address, parseEther("1000"));
    await token.connect(who).approve(await staking.getAddress(), MaxUint256);
    await token.connect(who).approve(await escrow.getAddress(), MaxUint256);
  }
  await staking.connect(agent).bond(MIN_STAKE * 2n);
  return { ...a, token, staking, escrow };
}

describe("Attacks", function () {
  describe("reentrancy through a malicious token", function () {
    it("cannot re-enter accept/release while the agent is paid", async function () {
      const m = await networkHelpers.loadFixture(maliciousTokenFixture);
      const { requester, agent, auctioneer } = m.actors;
      await m.escrow
        .connect(requester)
        .createTask(TASK, parseEther("50"), (await networkHelpers.time.latest()) + DAY, DAY, false);
      await m.escrow.award(
        TASK,
        agent.address,
        PRICE,
        await signAward(m.escrow, auctioneer, TASK, agent.address, PRICE),
      );
      await m.escrow.connect(agent).submitResult(TASK, id("r"), id("l"));
      await m.token.arm(
        await m.escrow.getAddress(),
        m.escrow.interface.encodeFunctionData("release", [TASK]),
      );
      await expect(m.escrow.connect(requester).accept(TASK, 0)).to.be.revertedWithCustomError(
        m.escrow,
        "ReentrancyGuardReentrantCall",
      );
      // Disarmed, the honest path works once and only once.
      await m.token.disarm();
      await m.escrow.connect(requester).accept(TASK, 0);
      expect(await m.token.balanceOf(await m.escrow.getAddress())).to.equal(await m.escrow.accruedFees());
    });

    it("cannot re-enter cancel or timeout to be refunded twice", async function () {
      const m = await networkHelpers.loadFixture(maliciousTokenFixture);
      const { requester } = m.actors;
      const deadline = (await networkHelpers.time.latest()) + DAY;
      await m.escrow.connect(requester).createTask(TASK, parseEther("50"), deadline, DAY, false);
      await m.token.arm(await m.escrow.getAddress(), m.escrow.interface.encodeFunctionData("cancel", [TASK]));
      await expect(m.escrow.connect(requester).cancel(TASK)).to.be.revertedWithCustomError(
        m.escrow,
        "ReentrancyGuardReentrantCall",
      );
      await m.token.disarm();
      await networkHelpers.time.increaseTo(deadline + 1);
      await m.token.arm(
        await m.escrow.getAddress(),
        m.escrow.interface.encodeFunctionData("timeout", [TASK]),
      );
      await expect(m.escrow.timeout(TASK)).to.be.revertedWithCustomError(
        m.escrow,
        "ReentrancyGuardReentrantCall",
      );
      await m.token.disarm();
      await m.escrow.timeout(TASK);
      expect(await m.token.balanceOf(requester.address)).to.equal(parseEther("1000"));
    });

    it("cannot re-enter the staking contract while withdrawing", async function () {
      const m = await networkHelpers.loadFixture(maliciousTokenFixture);
      const { agent } = m.actors;
      await m.staking.connect(agent).requestUnbond(MIN_STAKE);
      await networkHelpers.time.increase(7 * DAY);
      await m.token.arm(
        await m.staking.getAddress(),
        m.staking.interface.encodeFunctionData("withdrawUnbonded"),
      );
      await expect(m.staking.connect(agent).withdrawUnbonded()).to.be.revertedWithCustomError(
        m.staking,
        "ReentrancyGuardReentrantCall",
      );
    });
  });

  describe("reentrancy through an ERC-721 receiver", function () {
    it("a receiver re-entering UTID mint meets the already-written record", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const receiver = untyped(await ethers.deployContract("ReentrantReceiver"));
      const rAddr = await receiver.getAddress();
      await receiver.execute(
        await a.agents.getAddress(),
        a.agents.interface.encodeFunctionData("register()"),
      );
      expect(await a.agents.ownerOf(1)).to.equal(rAddr);
      const mint = a.utids.interface.encodeFunctionData("mint", [1, id("m"), "cid", id("root"), 0]);
      await receiver.arm(await a.utids.getAddress(), mint);
      const utid = await a.utids.computeId(1, id("m"), 1);
      await expect(receiver.execute(await a.utids.getAddress(), mint))
        .to.be.revertedWithCustomError(a.utids, "UTIDRegistryExists")
        .withArgs(utid);
    });

    it("a receiver re-entering register gets its own, consistent id", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const receiver = untyped(await ethers.deployContract("ReentrantReceiver"));
      const reg = a.agents.interface.encodeFunctionData("register()");
      await receiver.arm(await a.agents.getAddress(), reg);
      await receiver.execute(await a.agents.getAddress(), reg);
      expect(await a.agents.totalAgents()).to.equal(2);
      expect(await a.agents.balanceOf(await receiver.getAddress())).to.equal(2);
    });
  });

  it("unbonding ahead of a known slash does not escape it", async function () {
    const a = await networkHelpers.loadFixture(staked);
    const { requester, agent, auctioneer } = a.actors;
    const deadline = (await networkHelpers.time.latest()) + DAY;
    await a.escrow.connect(requester).createTask(TASK, parseEther("50"), deadline, DAY, false);
    await a.escrow.award(
      TASK,
      agent.address,
      PRICE,
      await signAward(a.escrow, auctioneer, TASK, agent.address, PRICE),
    );
    await networkHelpers.time.increaseTo(deadline + 1);
    // The agent knows the timeout slash is coming and tries to pull everything out first.
    await a.staking.connect(agent).requestUnbond(MIN_STAKE * 2n);
    await expect(a.staking.connect(agent).withdrawUnbonded()).to.be.revertedWithCustomError(
      a.staking,
      "ReputationStakingUnbondNotReady",
    );
    const cap = (MIN_STAKE * 2n) / 10n;
    await expect(a.escrow.timeout(TASK))
      .to.emit(a.escrow, "TaskFailed")
      .withArgs(TASK, agent.address, PRICE, cap);
    const s = await a.staking.stakeOf(agent.address);
    expect([s.bonded, s.unbonding]).to.deep.equal([0n, MIN_STAKE * 2n - cap]);
  });

  describe("double settlement", function () {
    it("a task is released, refunded or resolved at most once", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester, agent, auctioneer, arb1, arb2 } = a.actors;
      const award = async (t: string) =>
        a.escrow.award(
          t,
          agent.address,
          PRICE,
          await signAward(a.escrow, auctioneer, t, agent.address, PRICE),
        );
      const now = await networkHelpers.time.latest();
      const [t1, t2, t3, t4] = [id("t1"), id("t2"), id("t3"), id("t4")];
      for (const t of [t1, t2, t3, t4])
        await a.escrow.connect(requester).createTask(t, parseEther("50"), now + DAY, DAY, false);
      for (const t of [t1, t3, t4]) await award(t);
      await a.escrow.connect(agent).submitResult(t1, id("r"), id("l"));
      await a.escrow.connect(agent).submitResult(t4, id("r"), id("l"));
      await a.escrow.connect(requester).openDispute(t4);
      await a.escrow.connect(agent).answerDispute(t4);
      await a.escrow.connect(requester).accept(t1, 0);
      await expect(a.escrow.connect(requester).accept(t1, 0))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(t1, 5);
      await expect(a.escrow.release(t1))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(t1, 5);
      await a.escrow.connect(requester).cancel(t2);
      await networkHelpers.time.increase(DAY + 1);
      await expect(a.escrow.timeout(t2))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(t2, 6);
      await a.escrow.timeout(t3);
      await expect(a.escrow.timeout(t3))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(t3, 7);
      await expect(a.escrow.timeout(t1))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(t1, 5);
      // t4 is disputed: resolve it, and try again.
      await a.escrow.connect(arb1).vote(t4, true);
      await a.escrow.connect(arb2).vote(t4, true);
      await a.escrow.resolveDispute(t4);
      await expect(a.escrow.resolveDispute(t4))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(t4, 5);
      await expect(a.escrow.release(t4))
        .to.be.revertedWithCustomError(a.escrow, "TaskEscrowWrongStatus")
        .withArgs(t4, 5);
      // What is left is owed: the arbitrators' share of the losing bond, and the fees not yet swept.
      expect(await a.token.balanceOf(await a.escrow.getAddress())).to.equal(
        parseEther("10") + (await a.escrow.accruedFees()),
      );
    });
  });

  describe("insurance claims", function () {
    it("cannot claim on a task that did not fail", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { requester, agent, auctioneer, lp } = a.actors;
      await a.pool.connect(lp).deposit(parseEther("1000"));
      await a.escrow
        .connect(requester)
        .createTask(TASK, parseEther("50"), (await networkHelpers.time.latest()) + DAY, DAY, false);
      await a.escrow.award(
        TASK,
        agent.address,
        PRICE,
        await signAward(a.escrow, auctioneer, TASK, agent.address, PRICE),
      );
      await a.pool.connect(requester).buyCover(TASK, parseEther("100"), parseEther("100"));
      await expect(a.pool.connect(requester).claim(TASK))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolTaskNotFailed")
        .withArgs(TASK, 2);
      await a.escrow.connect(agent).submitResult(TASK, id("r"), id("l"));
      await expect(a.pool.connect(requester).claim(TASK))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolTaskNotFailed")
        .withArgs(TASK, 3);
      await a.escrow.connect(requester).accept(TASK, 0);
      await expect(a.pool.connect(requester).claim(TASK))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolTaskNotFailed")
        .withArgs(TASK, 5);
      await expect(a.pool.claim(id("never")))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolTaskNotFailed")
        .withArgs(id("never"), 0);
      expect((await a.pool.policyOf(TASK)).status).to.equal(3); // Expired, never paid
    });
  });
});
