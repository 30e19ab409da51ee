import { expect } from "chai";
import { network } from "hardhat";
import { encodeBytes32String, parseEther } from "ethers";
import { DAY, MIN_STAKE, deployFixture, impersonate } from "./fixture.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const fixture = () => deployFixture(connection);

const ESCROW = 0;
const DISPUTE = 1;
const GOVERNANCE = 2;
const COMPLETED = 0;
const FAILED = 1;
const DISPUTE_LOST = 2;
const REASON = encodeBytes32String("test");
const HALF_LIFE = BigInt(30 * DAY);
/** The contract's hyperbolic decay, truncating toward zero like Solidity. */
const decay = (score: bigint, elapsed: bigint): bigint => (score * HALF_LIFE) / (HALF_LIFE + elapsed);

async function withEscrowSigner() {
  const a = await networkHelpers.loadFixture(fixture);
  const escrowSigner = await impersonate(connection, await a.escrow.getAddress());
  return { ...a, escrowSigner };
}

describe("ReputationStaking", function () {
  describe("bond / unbond / withdraw", function () {
    it("bonds stake and emits StakeBonded", async function () {
      const a = await networkHelpers.loadFixture(fixture);
      const { agent } = a.actors;
      await expect(a.staking.connect(agent).bond(MIN_STAKE))
        .to.emit(a.staking, "StakeBonded")
        .withArgs(agent.address, MIN_STAKE, MIN_STAKE);
      expect((await a.staking.stakeOf(agent.address)).bonded).to.equal(MIN_STAKE);
      expect(await a.staking.totalBonded()).to.equal(MIN_STAKE);
      expect(await a.staking.isEligible(agent.address)).to.equal(true);
      expect(await a.staking.isAuthorisedAnchorer(agent.address)).to.equal(true);
      expect(await a.token.balanceOf(await a.staking.getAddress())).to.equal(MIN_STAKE);
    });

    it("is not eligible below the minimum or with no stake", async function () {
      const a = await networkHelpers.loadFixture(fixture);
      const { agent, outsider } = a.actors;
      await a.staking.connect(agent).bond(MIN_STAKE - 1n);
      expect(await a.staking.isEligible(agent.address)).to.equal(false);
      expect(await a.staking.isAuthorisedAnchorer(agent.address)).to.equal(false);
      expect(await a.staking.isAuthorisedAnchorer(outsider.address)).to.equal(false);
    });

    it("rejects zero amounts", async function () {
      const a = await networkHelpers.loadFixture(fixture);
      await expect(a.staking.connect(a.actors.agent).bond(0)).to.be.revertedWithCustomError(
        a.staking,
        "ReputationStakingZeroAmount",
      );
      await expect(a.staking.connect(a.actors.agent).requestUnbond(0)).to.be.revertedWithCustomError(
        a.staking,
        "ReputationStakingZeroAmount",
      );
    });

    it("unbonds after the delay, emitting UnbondRequested and UnbondWithdrawn", async function () {
      const a = await networkHelpers.loadFixture(fixture);
      const { agent } = a.actors;
      await a.staking.connect(agent).bond(MIN_STAKE * 2n);
      const tx = a.staking.connect(agent).requestUnbond(MIN_STAKE);
      await expect(tx).to.emit(a.staking, "UnbondRequested");
      const readyAt = (await a.staking.stakeOf(agent.address)).unbondReadyAt;
      expect(readyAt).to.equal(BigInt(await networkHelpers.time.latest()) + 7n * BigInt(DAY));
      await expect(tx)
        .to.emit(a.staking, "UnbondRequested")
        .withArgs(agent.address, MIN_STAKE, MIN_STAKE, readyAt);
      expect(await a.staking.totalUnbonding()).to.equal(MIN_STAKE);
      await expect(a.staking.connect(agent).withdrawUnbonded())
        .to.be.revertedWithCustomError(a.staking, "ReputationStakingUnbondNotReady")
        .withArgs(agent.address, readyAt, BigInt(await networkHelpers.time.latest()) + 1n);
      await networkHelpers.time.increaseTo(readyAt);
      const before = await a.token.balanceOf(agent.address);
      await expect(a.staking.connect(agent).withdrawUnbonded())
        .to.emit(a.staking, "UnbondWithdrawn")
        .withArgs(agent.address, MIN_STAKE);
      expect(await a.token.balanceOf(agent.address)).to.equal(before + MIN_STAKE);
      expect(await a.staking.totalUnbonding()).to.equal(0n);
      await expect(a.staking.connect(agent).withdrawUnbonded())
        .to.be.revertedWithCustomError(a.staking, "ReputationStakingNothingToWithdraw")
        .withArgs(agent.address);
    });

    it("rejects unbonding more than is bonded", async function () {
      const a = await networkHelpers.loadFixture(fixture);
      const { agent } = a.actors;
      await a.staking.connect(agent).bond(10n);
      await expect(a.staking.connect(agent).requestUnbond(11n))
        .to.be.revertedWithCustomError(a.staking, "ReputationStakingInsufficientStake")
        .withArgs(agent.address, 10n, 11n);
    });
  });

  describe("slash", function () {
    it("slashes within the per-source cap, bonded first then unbonding, and pays the slash recipient", async function () {
      const a = await withEscrowSigner();
      const { agent } = a.actors;
      await a.staking.connect(agent).bond(parseEther("1000"));
      await a.staking.connect(agent).requestUnbond(parseEther("950"));
      const pool = await a.pool.getAddress();
      expect(await a.staking.slashRecipient()).to.equal(pool);
      // escrow cap 10% of 1000 = 100: 50 from bonded, 50 from unbonding.
      expect(await a.staking.slashCap(agent.address, ESCROW)).to.equal(parseEther("100"));
      await expect(a.staking.connect(a.escrowSigner).slash(agent.address, parseEther("500"), ESCROW, REASON))
        .to.emit(a.staking, "StakeSlashed")
        .withArgs(agent.address, ESCROW, parseEther("100"), REASON, pool);
      const s = await a.staking.stakeOf(agent.address);
      expect(s.bonded).to.equal(0n);
      expect(s.unbonding).to.equal(parseEther("900"));
      expect(await a.token.balanceOf(pool)).to.equal(parseEther("100"));
      expect(await a.staking.totalSlashed()).to.equal(parseEther("100"));
      // dispute cap 20% of 900 = 180; asking for less takes what was asked.
      await expect(a.staking.connect(a.escrowSigner).slash(agent.address, parseEther("20"), DISPUTE, REASON))
        .to.emit(a.staking, "StakeSlashed")
        .withArgs(agent.address, DISPUTE, parseEther("20"), REASON, pool);
      // governance cap 50% through the timelock
      await expect(
        a.staking.connect(a.timelockSigner).slash(agent.address, parseEther("1000"), GOVERNANCE, REASON),
      )
        .to.emit(a.staking, "StakeSlashed")
        .withArgs(agent.address, GOVERNANCE, parseEther("440"), REASON, pool);
    });

    it("slashes nothing from an operator without stake", async function () {
      const a = await withEscrowSigner();
      await expect(a.staking.connect(a.escrowSigner).slash(a.actors.outsider.address, 5n, ESCROW, REASON))
        .to.emit(a.staking, "StakeSlashed")
        .withArgs(a.actors.outsider.address, ESCROW, 0n, REASON, await a.pool.getAddress());
    });

    it("only accepts each source from its own role", async function () {
      const a = await withEscrowSigner();
      const { agent, outsider } = a.actors;
      await a.staking.connect(agent).bond(MIN_STAKE);
      await expect(a.staking.connect(outsider).slash(agent.address, 1n, ESCROW, REASON))
        .to.be.revertedWithCustomError(a.staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await a.staking.ESCROW_SLASHER_ROLE());
      await expect(a.staking.connect(outsider).slash(agent.address, 1n, DISPUTE, REASON))
        .to.be.revertedWithCustomError(a.staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await a.staking.DISPUTE_SLASHER_ROLE());
      // The escrow cannot use the governance path, nor governance the escrow path.
      await expect(a.staking.connect(a.escrowSigner).slash(agent.address, 1n, GOVERNANCE, REASON))
        .to.be.revertedWithCustomError(a.staking, "AccessControlUnauthorizedAccount")
        .withArgs(await a.escrow.getAddress(), await a.staking.GOVERNANCE_SLASHER_ROLE());
      await expect(a.staking.connect(a.timelockSigner).slash(agent.address, 1n, ESCROW, REASON))
        .to.be.revertedWithCustomError(a.staking, "AccessControlUnauthorizedAccount")
        .withArgs(await a.timelockSigner.getAddress(), await a.staking.ESCROW_SLASHER_ROLE());
    });
  });

  describe("outcomes and score", function () {
    it("records outcomes and ratings with OutcomeRecorded, and decays the score", async function () {
      const a = await withEscrowSigner();
      const { agent } = a.actors;
      // Scores are in thousandths of a point; each block is one second later, so the previous score decays.
      const t0 = await networkHelpers.time.latest();
      await networkHelpers.time.setNextBlockTimestamp(t0 + 10);
      await expect(a.staking.connect(a.escrowSigner).recordOutcome(agent.address, COMPLETED, 5))
        .to.emit(a.staking, "OutcomeRecorded")
        .withArgs(agent.address, COMPLETED, 5, 150_000);
      await networkHelpers.time.setNextBlockTimestamp(t0 + 20);
      const afterFail = decay(150_000n, 10n) - 200_000n;
      await expect(a.staking.connect(a.escrowSigner).recordOutcome(agent.address, FAILED, 0))
        .to.emit(a.staking, "OutcomeRecorded")
        .withArgs(agent.address, FAILED, 0, afterFail);
      await networkHelpers.time.setNextBlockTimestamp(t0 + 30);
      const afterDispute = decay(afterFail, 10n) - 300_000n - 50_000n;
      await expect(a.staking.connect(a.escrowSigner).recordOutcome(agent.address, DISPUTE_LOST, 1))
        .to.emit(a.staking, "OutcomeRecorded")
        .withArgs(agent.address, DISPUTE_LOST, 1, afterDispute);
      const r = await a.staking.recordOf(agent.address);
      expect([r.completed, r.failed, r.disputesLost, r.ratings, r.ratingSum]).to.deep.equal([
        1n,
        1n,
        1n,
        2n,
        6n,
      ]);
      // one half-life later the score is halved
      await networkHelpers.time.increase(30 * DAY);
      expect(await a.staking.scoreOf(agent.address)).to.equal(decay(afterDispute, BigInt(30 * DAY)));
      expect(decay(afterDispute, BigInt(30 * DAY))).to.equal(afterDispute / 2n);
    });

    it("rejects ratings above 5 and callers without RECORDER_ROLE", async function () {
      const a = await withEscrowSigner();
      const { agent, outsider } = a.actors;
      await expect(a.staking.connect(a.escrowSigner).recordOutcome(agent.address, COMPLETED, 6))
        .to.be.revertedWithCustomError(a.staking, "ReputationStakingInvalidRating")
        .withArgs(6);
      await expect(a.staking.connect(outsider).recordOutcome(agent.address, COMPLETED, 0))
        .to.be.revertedWithCustomError(a.staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await a.staking.RECORDER_ROLE());
    });

    it("gives an ERC-8004-style getSummary for an agent id", async function () {
      const a = await withEscrowSigner();
      const { agent } = a.actors;
      await a.agents.connect(agent)["register()"]();
      await a.staking.connect(a.escrowSigner).recordOutcome(agent.address, COMPLETED, 0);
      await a.staking.connect(a.escrowSigner).recordOutcome(agent.address, COMPLETED, 0);
      const [count, value, decimals] = await a.staking.getSummary(1, [], "", "");
      expect([count, decimals]).to.deep.equal([2n, 3n]);
      expect(value).to.equal(await a.staking.scoreOf(agent.address));
      expect(value).to.be.within(199_990n, 200_000n);
      await expect(a.staking.getSummary(99, [], "", ""))
        .to.be.revertedWithCustomError(a.staking, "ReputationStakingUnknownAgent")
        .withArgs(99);
    });
  });

  describe("parameters", function () {
    const cases: [string, string, unknown[], string, unknown[], unknown[] | null][] = [
      [
        "setMinimumStake",
        "MinimumStakeUpdated",
        [parseEther("5")],
        "minimumStake",
        [0],
        [MIN_STAKE, parseEther("5")],
      ],
      ["setUnbondDelay", "UnbondDelayUpdated", [DAY], "unbondDelay", [366 * DAY], [7 * DAY, DAY]],
      ["setScoreHalfLife", "ScoreHalfLifeUpdated", [DAY], "scoreHalfLife", [0], [30 * DAY, DAY]],
      ["setSlashCap", "SlashCapUpdated", [ESCROW, 500], "slashCapBps", [ESCROW, 10_001], [ESCROW, 1000, 500]],
    ];
    for (const [fn, event, args, param, badArgs, eventArgs] of cases) {
      it(`${fn}: timelock only, emits ${event}, validates`, async function () {
        const a = await networkHelpers.loadFixture(fixture);
        await expect(a.staking.connect(a.actors.outsider)[fn](...args))
          .to.be.revertedWithCustomError(a.staking, "AccessControlUnauthorizedAccount")
          .withArgs(a.actors.outsider.address, await a.staking.PARAMETER_ROLE());
        await expect(a.staking.connect(a.timelockSigner)[fn](...args))
          .to.emit(a.staking, event)
          .withArgs(...eventArgs!);
        const bad = badArgs[badArgs.length - 1];
        await expect(a.staking.connect(a.timelockSigner)[fn](...badArgs))
          .to.be.revertedWithCustomError(a.staking, "ReputationStakingInvalidParameter")
          .withArgs(encodeBytes32String(param), bad);
      });
    }

    it("setSlashRecipient: timelock only, emits SlashRecipientUpdated, rejects zero", async function () {
      const a = await networkHelpers.loadFixture(fixture);
      const tl = await a.timelockSigner.getAddress();
      await expect(a.staking.connect(a.actors.outsider).setSlashRecipient(tl))
        .to.be.revertedWithCustomError(a.staking, "AccessControlUnauthorizedAccount")
        .withArgs(a.actors.outsider.address, await a.staking.PARAMETER_ROLE());
      await expect(a.staking.connect(a.timelockSigner).setSlashRecipient(tl))
        .to.emit(a.staking, "SlashRecipientUpdated")
        .withArgs(await a.pool.getAddress(), tl);
      await expect(a.staking.connect(a.timelockSigner).setSlashRecipient(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(a.staking, "ReputationStakingInvalidParameter")
        .withArgs(encodeBytes32String("slashRecipient"), 0);
      expect(await a.staking.stakeToken()).to.equal(await a.token.getAddress());
      expect(await a.staking.minimumStake()).to.equal(MIN_STAKE);
      expect(await a.staking.unbondDelay()).to.equal(7 * DAY);
      expect(await a.staking.scoreHalfLife()).to.equal(30 * DAY);
      expect([
        await a.staking.slashCapBps(ESCROW),
        await a.staking.slashCapBps(DISPUTE),
        await a.staking.slashCapBps(GOVERNANCE),
      ]).to.deep.equal([1000n, 2000n, 5000n]);
    });
  });
});
