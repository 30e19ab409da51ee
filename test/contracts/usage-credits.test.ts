import { expect } from "chai";
import { network } from "hardhat";
import { encodeBytes32String } from "ethers";
import { deployFixture } from "./fixture.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const HOSTING = encodeBytes32String("hosting");
const TASK_FEE = encodeBytes32String("task-fee");

async function creditsFixture() {
  const a = await deployFixture(connection);
  const { credits, deployment, timelockSigner } = a;
  const { deployer, lp: issuer, lp2: spender, requester: alice, requester2: bob } = a.actors;
  await credits.connect(timelockSigner).grantRole(await credits.ISSUER_ROLE(), issuer.address);
  await credits.connect(timelockSigner).grantRole(await credits.SPENDER_ROLE(), spender.address);
  return { credits, deployment, deployer, issuer, spender, alice, bob, timelockSigner };
}

describe("UsageCredits", function () {
  it("deploys through deployAinur with its deploy block", async function () {
    const { credits, deployment, issuer } = await networkHelpers.loadFixture(creditsFixture);
    expect(deployment.contracts.UsageCredits!.block).to.be.greaterThan(0);
    expect(await credits.name()).to.equal("Ainur Usage Credits");
    expect(await credits.symbol()).to.equal("AUC");
    expect(await credits.decimals()).to.equal(18);
    expect(await credits.hasRole(await credits.ISSUER_ROLE(), issuer.address)).to.equal(true);
    expect(await credits.totalSupply()).to.equal(0n);
  });

  describe("mint", function () {
    it("mints to an account with a reason, emitting Transfer and CreditsMinted", async function () {
      const { credits, issuer, alice } = await networkHelpers.loadFixture(creditsFixture);
      await expect(credits.connect(issuer).mint(alice.address, 100n, HOSTING))
        .to.emit(credits, "CreditsMinted")
        .withArgs(alice.address, 100n, HOSTING)
        .and.to.emit(credits, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 100n);
      expect(await credits.balanceOf(alice.address)).to.equal(100n);
      expect(await credits.totalSupply()).to.equal(100n);
      expect(await credits.mintedTo(alice.address)).to.equal(100n);
    });

    it("rejects a caller without ISSUER_ROLE", async function () {
      const { credits, alice } = await networkHelpers.loadFixture(creditsFixture);
      await expect(credits.connect(alice).mint(alice.address, 1n, HOSTING))
        .to.be.revertedWithCustomError(credits, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, await credits.ISSUER_ROLE());
    });

    it("rejects zero amounts and the zero address", async function () {
      const { credits, issuer, alice } = await networkHelpers.loadFixture(creditsFixture);
      await expect(credits.connect(issuer).mint(alice.address, 0n, HOSTING))
        .to.be.revertedWithCustomError(credits, "UsageCreditsInvalidAmount")
        .withArgs(alice.address, 0n);
      await expect(credits.connect(issuer).mint(ethers.ZeroAddress, 5n, HOSTING))
        .to.be.revertedWithCustomError(credits, "UsageCreditsInvalidAmount")
        .withArgs(ethers.ZeroAddress, 5n);
    });
  });

  describe("burn", function () {
    it("burns the caller's credits, emitting Transfer and CreditsBurned", async function () {
      const { credits, issuer, alice } = await networkHelpers.loadFixture(creditsFixture);
      await credits.connect(issuer).mint(alice.address, 100n, HOSTING);
      await expect(credits.connect(alice).burn(40n, TASK_FEE))
        .to.emit(credits, "CreditsBurned")
        .withArgs(alice.address, 40n, TASK_FEE)
        .and.to.emit(credits, "Transfer")
        .withArgs(alice.address, ethers.ZeroAddress, 40n);
      expect(await credits.balanceOf(alice.address)).to.equal(60n);
      expect(await credits.totalSupply()).to.equal(60n);
      expect(await credits.mintedTo(alice.address)).to.equal(100n);
    });

    it("rejects burning more than the balance, and zero", async function () {
      const { credits, issuer, alice } = await networkHelpers.loadFixture(creditsFixture);
      await credits.connect(issuer).mint(alice.address, 10n, HOSTING);
      await expect(credits.connect(alice).burn(11n, TASK_FEE))
        .to.be.revertedWithCustomError(credits, "UsageCreditsInsufficientBalance")
        .withArgs(alice.address, 10n, 11n);
      await expect(credits.connect(alice).burn(0n, TASK_FEE))
        .to.be.revertedWithCustomError(credits, "UsageCreditsInvalidAmount")
        .withArgs(alice.address, 0n);
    });

    it("lets a SPENDER_ROLE holder burn from an account", async function () {
      const { credits, issuer, spender, alice } = await networkHelpers.loadFixture(creditsFixture);
      await credits.connect(issuer).mint(alice.address, 10n, HOSTING);
      await expect(credits.connect(spender).burnFrom(alice.address, 7n, TASK_FEE))
        .to.emit(credits, "CreditsBurned")
        .withArgs(alice.address, 7n, TASK_FEE);
      expect(await credits.balanceOf(alice.address)).to.equal(3n);
      await expect(credits.connect(spender).burnFrom(ethers.ZeroAddress, 1n, TASK_FEE))
        .to.be.revertedWithCustomError(credits, "UsageCreditsInvalidAmount")
        .withArgs(ethers.ZeroAddress, 1n);
    });

    it("rejects burnFrom by a caller without SPENDER_ROLE", async function () {
      const { credits, issuer, alice, bob } = await networkHelpers.loadFixture(creditsFixture);
      await credits.connect(issuer).mint(alice.address, 10n, HOSTING);
      await expect(credits.connect(bob).burnFrom(alice.address, 1n, TASK_FEE))
        .to.be.revertedWithCustomError(credits, "AccessControlUnauthorizedAccount")
        .withArgs(bob.address, await credits.SPENDER_ROLE());
    });
  });

  it("leaves role administration to the timelock only", async function () {
    const { credits, deployer, alice, timelockSigner } = await networkHelpers.loadFixture(creditsFixture);
    const admin = await credits.DEFAULT_ADMIN_ROLE();
    expect(await credits.hasRole(admin, await timelockSigner.getAddress())).to.equal(true);
    expect(await credits.hasRole(admin, deployer.address)).to.equal(false);
    await expect(credits.connect(deployer).grantRole(await credits.ISSUER_ROLE(), alice.address))
      .to.be.revertedWithCustomError(credits, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, admin);
  });

  describe("non-transferability", function () {
    it("reverts transfer, transferFrom and approve with UsageCreditsNonTransferable(from, to, amount)", async function () {
      const { credits, issuer, alice, bob } = await networkHelpers.loadFixture(creditsFixture);
      await credits.connect(issuer).mint(alice.address, 10n, HOSTING);
      await expect(credits.connect(alice).transfer(bob.address, 5n))
        .to.be.revertedWithCustomError(credits, "UsageCreditsNonTransferable")
        .withArgs(alice.address, bob.address, 5n);
      await expect(credits.connect(bob).transferFrom(alice.address, bob.address, 3n))
        .to.be.revertedWithCustomError(credits, "UsageCreditsNonTransferable")
        .withArgs(alice.address, bob.address, 3n);
      await expect(credits.connect(alice).approve(bob.address, 9n))
        .to.be.revertedWithCustomError(credits, "UsageCreditsNonTransferable")
        .withArgs(alice.address, bob.address, 9n);
      expect(await credits.allowance(alice.address, bob.address)).to.equal(0n);
      expect(await credits.balanceOf(alice.address)).to.equal(10n);
      expect(await credits.balanceOf(bob.address)).to.equal(0n);
    });
  });
});
