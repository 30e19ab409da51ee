import { expect } from "chai";
import { network } from "hardhat";
import { encodeBytes32String, id, parseEther } from "ethers";
import { DAY, signAward, stakedFixture } from "./fixture.ts";
import type { Ainur } from "./fixture.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const staked = () => stakedFixture(connection);

const TASK = id("task");
const BUDGET = parseEther("50");
const PRICE = parseEther("40");
const COVER = parseEther("100");
const LIQUIDITY = parseEther("1000");
const P = { None: 0, Active: 1, Paid: 2, Expired: 3 };

async function awarded(a: Ainur, task = TASK) {
  const deadline = (await networkHelpers.time.latest()) + DAY;
  await a.escrow.connect(a.actors.requester).createTask(task, BUDGET, deadline, DAY, false);
  const sig = await signAward(a.escrow, a.actors.auctioneer, task, a.actors.agent.address, PRICE);
  await a.escrow.award(task, a.actors.agent.address, PRICE, sig);
  return deadline;
}

async function funded() {
  const a = await networkHelpers.loadFixture(staked);
  await a.pool.connect(a.actors.lp).deposit(LIQUIDITY);
  return a;
}

/** The premium formula, as documented in IInsurancePool (ceil division). */
function premiumOf(coverage: bigint, score: bigint, assets: bigint, activeCover: bigint): bigint {
  const positive = score > 0n ? score : 0n;
  const risk = (400n * 1000n) / (1000n + positive);
  let util = ((activeCover + coverage) * 10_000n) / assets;
  if (util > 10_000n) util = 10_000n;
  const rate = 100n + risk + (500n * util) / 10_000n;
  return (coverage * rate + 9_999n) / 10_000n;
}

describe("InsurancePool", function () {
  describe("liquidity", function () {
    it("deposits for shares and withdraws after the cooldown with the premiums earned", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { lp } = a.actors;
      await expect(a.pool.connect(lp).deposit(LIQUIDITY))
        .to.emit(a.pool, "Deposited")
        .withArgs(lp.address, LIQUIDITY, LIQUIDITY * 1000n);
      expect(await a.pool.sharesOf(lp.address)).to.equal(LIQUIDITY * 1000n);
      expect(await a.pool.totalShares()).to.equal(LIQUIDITY * 1000n);
      await awarded(a);
      const premium = await a.pool.quote(TASK, COVER);
      await a.pool.connect(a.actors.requester).buyCover(TASK, COVER, premium);
      await a.escrow.connect(a.actors.agent).submitResult(TASK, id("r"), id("l"));
      const shares = await a.pool.sharesOf(lp.address);
      const tx = a.pool.connect(lp).requestWithdrawal(shares);
      const readyAt = BigInt(await networkHelpers.time.latest()) + 1n + 3n * BigInt(DAY);
      await expect(tx).to.emit(a.pool, "WithdrawalRequested").withArgs(lp.address, shares, readyAt);
      await expect(a.pool.connect(lp).withdraw())
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolWithdrawalNotReady")
        .withArgs(lp.address, readyAt);
      await networkHelpers.time.increaseTo(readyAt);
      // Active cover is locked: the whole position is not free.
      const all = await a.pool.previewRedeem(shares);
      expect(all).to.be.greaterThan(LIQUIDITY); // the premium accrued to the provider
      await expect(a.pool.connect(lp).withdraw())
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolInsufficientLiquidity")
        .withArgs(all, LIQUIDITY + premium - COVER);
      // once the task is released, the cover expires and the provider can leave with everything
      await expect(a.escrow.connect(a.actors.requester).accept(TASK, 0))
        .to.emit(a.pool, "CoverExpired")
        .withArgs(TASK, COVER);
      const out = await a.pool.previewRedeem(shares);
      const tx2 = a.pool.connect(lp).withdraw();
      await expect(tx2).to.emit(a.pool, "Withdrawn").withArgs(lp.address, out, shares);
      await expect(tx2).to.changeTokenBalance(ethers, a.token, lp, out);
      expect(out).to.be.within(LIQUIDITY + premium - 1n, LIQUIDITY + premium);
    });

    it("rejects zero deposits, over-withdrawals and missing requests", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { lp } = a.actors;
      await expect(a.pool.connect(lp).deposit(0)).to.be.revertedWithCustomError(
        a.pool,
        "InsurancePoolZeroAmount",
      );
      await expect(a.pool.connect(lp).requestWithdrawal(0)).to.be.revertedWithCustomError(
        a.pool,
        "InsurancePoolZeroAmount",
      );
      await expect(a.pool.connect(lp).requestWithdrawal(1))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolInsufficientShares")
        .withArgs(lp.address, 0, 1);
      await expect(a.pool.connect(lp).withdraw()).to.be.revertedWithCustomError(
        a.pool,
        "InsurancePoolZeroAmount",
      );
    });

    it("resists the first-depositor inflation attack (virtual shares)", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { lp, lp2 } = a.actors;
      await a.pool.connect(lp).deposit(1n);
      await a.token.connect(lp).transfer(await a.pool.getAddress(), parseEther("1000"));
      const shares = await a.pool.connect(lp2).deposit.staticCall(parseEther("2000"));
      expect(shares).to.be.greaterThan(0n);
      await a.pool.connect(lp2).deposit(parseEther("2000"));
      // the victim keeps essentially all of its deposit
      expect(await a.pool.previewRedeem(shares)).to.be.greaterThan(parseEther("1999"));
      // a deposit too small to buy a single share is refused rather than taken
      await expect(a.pool.connect(lp2).deposit(1n)).to.be.revertedWithCustomError(
        a.pool,
        "InsurancePoolZeroAmount",
      );
    });
  });

  describe("cover", function () {
    it("prices cover from coverage, reputation and utilisation, and sells it to the requester", async function () {
      const a = await funded();
      const { requester, agent } = a.actors;
      await awarded(a);
      const expected = premiumOf(COVER, await a.staking.scoreOf(agent.address), LIQUIDITY, 0n);
      expect(await a.pool.quote(TASK, COVER)).to.equal(expected);
      const tx = a.pool.connect(requester).buyCover(TASK, COVER, expected);
      await expect(tx)
        .to.emit(a.pool, "CoverBought")
        .withArgs(TASK, requester.address, agent.address, COVER, expected);
      await expect(tx).to.emit(a.escrow, "TaskInsured").withArgs(TASK);
      await expect(tx).to.changeTokenBalance(ethers, a.token, requester, -expected);
      const p = await a.pool.policyOf(TASK);
      expect([p.holder, p.coverage, p.premium, p.status]).to.deep.equal([
        requester.address,
        COVER,
        expected,
        BigInt(P.Active),
      ]);
      expect(await a.pool.activeCover()).to.equal(COVER);
      expect(await a.pool.freeLiquidity()).to.equal(LIQUIDITY + expected - COVER);
      expect((await a.escrow.taskOf(TASK)).insured).to.equal(true);
    });

    it("charges a good reputation less", async function () {
      const a = await funded();
      const escrowSigner = await (async () => {
        await networkHelpers.impersonateAccount(await a.escrow.getAddress());
        await networkHelpers.setBalance(await a.escrow.getAddress(), parseEther("1"));
        return ethers.getSigner(await a.escrow.getAddress());
      })();
      await awarded(a);
      const before = await a.pool.quote(TASK, COVER);
      for (let i = 0; i < 5; i++)
        await a.staking.connect(escrowSigner).recordOutcome(a.actors.agent.address, 0, 5);
      expect(await a.pool.quote(TASK, COVER)).to.be.lessThan(before);
    });

    it("rejects cover for others' tasks, unawarded tasks, duplicates, oversize, over capacity, over the max premium", async function () {
      const a = await funded();
      const { requester, outsider } = a.actors;
      const deadline = (await networkHelpers.time.latest()) + DAY;
      await a.escrow.connect(requester).createTask(TASK, BUDGET, deadline, DAY, false);
      await expect(a.pool.connect(requester).buyCover(TASK, COVER, COVER))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolTaskNotCoverable")
        .withArgs(TASK, 1);
      const sig = await signAward(a.escrow, a.actors.auctioneer, TASK, a.actors.agent.address, PRICE);
      await a.escrow.award(TASK, a.actors.agent.address, PRICE, sig);
      await expect(a.pool.connect(outsider).buyCover(TASK, COVER, COVER))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolNotRequester")
        .withArgs(TASK, outsider.address);
      await expect(a.pool.connect(requester).buyCover(TASK, 0, COVER)).to.be.revertedWithCustomError(
        a.pool,
        "InsurancePoolZeroAmount",
      );
      const max = parseEther("10000");
      await expect(a.pool.connect(requester).buyCover(TASK, max + 1n, max))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolCoverTooLarge")
        .withArgs(max + 1n, max);
      const capacity = (LIQUIDITY * 8_000n) / 10_000n;
      await expect(a.pool.connect(requester).buyCover(TASK, capacity + 1n, max))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolCapacityExceeded")
        .withArgs(capacity + 1n, capacity);
      const premium = await a.pool.quote(TASK, COVER);
      await expect(a.pool.connect(requester).buyCover(TASK, COVER, premium - 1n))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolPremiumTooHigh")
        .withArgs(premium, premium - 1n);
      await a.pool.connect(requester).buyCover(TASK, COVER, premium);
      await expect(a.pool.connect(requester).buyCover(TASK, COVER, COVER))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolPolicyExists")
        .withArgs(TASK);
    });
  });

  describe("claims", function () {
    it("pays the claim automatically when the escrow records a failure", async function () {
      const a = await funded();
      const { requester } = a.actors;
      const deadline = await awarded(a);
      await a.pool.connect(requester).buyCover(TASK, COVER, COVER);
      await networkHelpers.time.increaseTo(deadline + 1);
      const tx = a.escrow.timeout(TASK);
      await expect(tx).to.emit(a.pool, "ClaimPaid").withArgs(TASK, requester.address, COVER);
      await expect(tx).to.changeTokenBalance(ethers, a.token, requester, PRICE + COVER);
      expect((await a.pool.policyOf(TASK)).status).to.equal(P.Paid);
      expect(await a.pool.activeCover()).to.equal(0n);
      await expect(a.pool.claim(TASK))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolNoActivePolicy")
        .withArgs(TASK);
    });

    it("claim and expire are fallbacks that check the escrow's record", async function () {
      const a = await funded();
      const { requester } = a.actors;
      const deadline = await awarded(a);
      await a.pool.connect(requester).buyCover(TASK, COVER, COVER);
      // the escrow stops reporting (its pool was switched): the fallbacks still settle the policy
      await a.escrow.connect(a.timelockSigner).setInsurancePool(a.actors.outsider.address);
      await expect(a.pool.claim(TASK))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolTaskNotFailed")
        .withArgs(TASK, 2);
      await expect(a.pool.expire(TASK))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolTaskNotSettled")
        .withArgs(TASK, 2);
      await networkHelpers.time.increaseTo(deadline + 1);
      await expect(a.escrow.timeout(TASK)).to.be.revertedWithoutReason(ethers);
      await a.escrow.connect(a.timelockSigner).setInsurancePool(await a.pool.getAddress());
      await a.escrow.timeout(TASK);
      expect((await a.pool.policyOf(TASK)).status).to.equal(P.Paid);
      await expect(a.pool.expire(TASK))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolTaskNotSettled")
        .withArgs(TASK, 7);
    });

    it("claim pays a failed task's policy when the escrow did not report it; expire releases a completed one", async function () {
      const a = await funded();
      const { requester, agent } = a.actors;
      const deadline = await awarded(a);
      await awarded(a, id("t2"));
      await a.pool.connect(requester).buyCover(TASK, COVER, COVER);
      await a.pool.connect(requester).buyCover(id("t2"), COVER, COVER);
      // The escrow reports to a pool that ignores it: the policies stay active until the fallbacks run.
      const mute = await ethers.deployContract("NullReceiver");
      await a.escrow.connect(a.timelockSigner).setInsurancePool(await mute.getAddress());
      await a.escrow.connect(agent).submitResult(id("t2"), id("r"), id("l"));
      await a.escrow.connect(requester).accept(id("t2"), 0);
      await networkHelpers.time.increaseTo(deadline + 1);
      await a.escrow.timeout(TASK);
      expect(await a.pool.activeCover()).to.equal(COVER * 2n);
      const claim = a.pool.connect(a.actors.outsider).claim(TASK);
      await expect(claim).to.emit(a.pool, "ClaimPaid").withArgs(TASK, requester.address, COVER);
      await expect(claim).to.changeTokenBalance(ethers, a.token, requester, COVER);
      await expect(a.pool.expire(id("t2")))
        .to.emit(a.pool, "CoverExpired")
        .withArgs(id("t2"), COVER);
      expect(await a.pool.activeCover()).to.equal(0n);
      await expect(a.pool.expire(id("t2")))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolNoActivePolicy")
        .withArgs(id("t2"));
      await expect(a.pool.claim(TASK))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolNoActivePolicy")
        .withArgs(TASK);
    });

    it("onTaskSettled is for the escrow only and ignores tasks without a policy", async function () {
      const a = await funded();
      await expect(a.pool.connect(a.actors.outsider).onTaskSettled(TASK, true))
        .to.be.revertedWithCustomError(a.pool, "InsurancePoolNotEscrow")
        .withArgs(a.actors.outsider.address);
      await networkHelpers.impersonateAccount(await a.escrow.getAddress());
      await networkHelpers.setBalance(await a.escrow.getAddress(), parseEther("1"));
      const escrowSigner = await ethers.getSigner(await a.escrow.getAddress());
      await expect(a.pool.connect(escrowSigner).onTaskSettled(TASK, true)).to.not.emit(a.pool, "ClaimPaid");
    });
  });

  describe("parameters", function () {
    it("every setter is timelock-only, emits its event and validates", async function () {
      const a = await networkHelpers.loadFixture(staked);
      const { outsider } = a.actors;
      const tl = a.timelockSigner;
      const role = await a.pool.PARAMETER_ROLE();
      const curve = [50, 200, 300, 500];
      for (const [fn, args] of [
        ["setPremiumCurve", [curve]],
        ["setCoverCaps", [1n, 1]],
        ["setWithdrawalCooldown", [1]],
      ] as [string, unknown[]][]) {
        await expect(a.pool.connect(outsider)[fn](...args))
          .to.be.revertedWithCustomError(a.pool, "AccessControlUnauthorizedAccount")
          .withArgs(outsider.address, role);
      }
      await expect(a.pool.connect(tl).setPremiumCurve(curve))
        .to.emit(a.pool, "PremiumCurveUpdated")
        .withArgs([100, 400, 500, 1000], curve);
      expect(await a.pool.premiumCurve()).to.deep.equal(curve.map(BigInt));
      await expect(a.pool.connect(tl).setCoverCaps(5n, 5000))
        .to.emit(a.pool, "CoverCapsUpdated")
        .withArgs(5n, 5000);
      await expect(a.pool.connect(tl).setWithdrawalCooldown(DAY))
        .to.emit(a.pool, "WithdrawalCooldownUpdated")
        .withArgs(3 * DAY, DAY);
      expect([
        await a.pool.maxCoverPerPolicy(),
        await a.pool.maxUtilisationBps(),
        await a.pool.withdrawalCooldown(),
      ]).to.deep.equal([5n, 5000n, BigInt(DAY)]);
      const bad: [string, unknown[], string, unknown][] = [
        ["setPremiumCurve", [[50, 200, 300, 0]], "reputationScale", 0],
        ["setPremiumCurve", [[5000, 5000, 1, 1]], "premiumRate", 10_001],
        ["setCoverCaps", [1n, 10_001], "maxUtilisationBps", 10_001],
        ["setWithdrawalCooldown", [91 * DAY], "withdrawalCooldown", 91 * DAY],
      ];
      for (const [fn, args, name, value] of bad) {
        await expect(a.pool.connect(tl)[fn](...args))
          .to.be.revertedWithCustomError(a.pool, "InsurancePoolInvalidParameter")
          .withArgs(encodeBytes32String(name), value);
      }
      expect(await a.pool.withdrawalOf(outsider.address)).to.deep.equal([0n, 0n]);
      expect(await a.pool.totalAssets()).to.equal(0n);
    });
  });
});
