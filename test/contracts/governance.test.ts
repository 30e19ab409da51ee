import { expect } from "chai";
import { network } from "hardhat";
import { id, parseEther } from "ethers";
import { DAY, MIN_STAKE, signAward, stakedFixture } from "./fixture.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const staked = () => stakedFixture(connection);

describe("Governance", function () {
  it("hands every admin and parameter role to the timelock, and the proposer role to the governor only", async function () {
    const a = await networkHelpers.loadFixture(staked);
    const tl = await a.timelock.getAddress();
    const { deployer } = a.actors;
    for (const c of [a.staking, a.escrow, a.pool]) {
      expect(await c.hasRole(await c.PARAMETER_ROLE(), tl)).to.equal(true);
      expect(await c.hasRole(await c.PARAMETER_ROLE(), deployer.address)).to.equal(false);
      expect(await c.hasRole(ethers.ZeroHash, tl)).to.equal(true);
      expect(await c.hasRole(ethers.ZeroHash, deployer.address)).to.equal(false);
    }
    expect(await a.staking.hasRole(await a.staking.GOVERNANCE_SLASHER_ROLE(), tl)).to.equal(true);
    expect(await a.utids.hasRole(await a.utids.REVOKER_ROLE(), tl)).to.equal(true);
    expect(
      await a.timelock.hasRole(await a.timelock.PROPOSER_ROLE(), await a.governor.getAddress()),
    ).to.equal(true);
    expect(await a.timelock.hasRole(ethers.ZeroHash, deployer.address)).to.equal(false);
    expect(await a.timelock.hasRole(await a.timelock.EXECUTOR_ROLE(), ethers.ZeroAddress)).to.equal(true);
    expect(await a.governor.timelock()).to.equal(tl);
    expect(await a.token.getVotes(deployer.address)).to.equal(0n);
  });

  it("changes the minimum stake through propose, vote, queue and execute, and the change takes effect", async function () {
    const a = await networkHelpers.loadFixture(staked);
    const { deployer, requester, agent, auctioneer } = a.actors;
    await a.token.connect(deployer).delegate(deployer.address);
    const newMinimum = MIN_STAKE * 3n; // the agent has bonded 2x the old minimum
    const target = await a.staking.getAddress();
    const calldata = a.staking.interface.encodeFunctionData("setMinimumStake", [newMinimum]);
    const description = "Raise the minimum stake to 300 AINUR";
    const descriptionHash = id(description);

    // Nobody can skip governance.
    await expect(a.staking.connect(deployer).setMinimumStake(newMinimum))
      .to.be.revertedWithCustomError(a.staking, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, await a.staking.PARAMETER_ROLE());

    const proposalId = await a.governor.hashProposal([target], [0], [calldata], descriptionHash);
    await expect(a.governor.connect(deployer).propose([target], [0], [calldata], description)).to.emit(
      a.governor,
      "ProposalCreated",
    );
    expect(await a.governor.state(proposalId)).to.equal(0); // Pending
    await networkHelpers.mine(2);
    expect(await a.governor.state(proposalId)).to.equal(1); // Active
    await expect(a.governor.connect(deployer).castVote(proposalId, 1)).to.emit(a.governor, "VoteCast");
    await networkHelpers.mine(50);
    expect(await a.governor.state(proposalId)).to.equal(4); // Succeeded
    await expect(a.governor.queue([target], [0], [calldata], descriptionHash)).to.emit(
      a.governor,
      "ProposalQueued",
    );
    expect(await a.governor.state(proposalId)).to.equal(5); // Queued
    await expect(
      a.governor.execute([target], [0], [calldata], descriptionHash),
    ).to.be.revertedWithCustomError(a.timelock, "TimelockUnexpectedOperationState");
    await networkHelpers.time.increase(3600);
    await expect(a.governor.execute([target], [0], [calldata], descriptionHash))
      .to.emit(a.staking, "MinimumStakeUpdated")
      .withArgs(MIN_STAKE, newMinimum);
    expect(await a.governor.state(proposalId)).to.equal(7); // Executed
    expect(await a.staking.minimumStake()).to.equal(newMinimum);

    // It takes effect: the agent (bonded at 2x the old minimum) can no longer be awarded a task.
    const task = id("after-governance");
    await a.escrow
      .connect(requester)
      .createTask(task, parseEther("50"), (await networkHelpers.time.latest()) + DAY, DAY, false);
    const sig = await signAward(a.escrow, auctioneer, task, agent.address, parseEther("40"));
    await expect(a.escrow.award(task, agent.address, parseEther("40"), sig))
      .to.be.revertedWithCustomError(a.escrow, "TaskEscrowAgentNotEligible")
      .withArgs(task, agent.address);
    await a.staking.connect(agent).bond(MIN_STAKE);
    await expect(a.escrow.award(task, agent.address, parseEther("40"), sig)).to.emit(a.escrow, "TaskAwarded");
  });

  it("the proposer can cancel a pending proposal; the token supports permits", async function () {
    const a = await networkHelpers.loadFixture(staked);
    const { deployer } = a.actors;
    await a.token.connect(deployer).delegate(deployer.address);
    const target = await a.escrow.getAddress();
    const calldata = a.escrow.interface.encodeFunctionData("setFee", [200]);
    await a.governor.connect(deployer).propose([target], [0], [calldata], "Fee 2%");
    const proposalId = await a.governor.hashProposal([target], [0], [calldata], id("Fee 2%"));
    await expect(a.governor.connect(deployer).cancel([target], [0], [calldata], id("Fee 2%")))
      .to.emit(a.governor, "ProposalCanceled")
      .withArgs(proposalId);
    expect(await a.governor.state(proposalId)).to.equal(2); // Canceled
    expect(await a.token.nonces(deployer.address)).to.equal(0n);
  });

  it("a defeated proposal cannot be queued", async function () {
    const a = await networkHelpers.loadFixture(staked);
    const { deployer, requester } = a.actors;
    await a.token.connect(deployer).delegate(deployer.address);
    await a.token.connect(requester).delegate(requester.address);
    const target = await a.escrow.getAddress();
    const calldata = a.escrow.interface.encodeFunctionData("setFee", [500]);
    await a.governor.connect(requester).propose([target], [0], [calldata], "Raise the fee");
    const proposalId = await a.governor.hashProposal([target], [0], [calldata], id("Raise the fee"));
    await networkHelpers.mine(2);
    await a.governor.connect(deployer).castVote(proposalId, 0);
    await a.governor.connect(requester).castVote(proposalId, 1);
    await networkHelpers.mine(50);
    expect(await a.governor.state(proposalId)).to.equal(3); // Defeated
    await expect(
      a.governor.queue([target], [0], [calldata], id("Raise the fee")),
    ).to.be.revertedWithCustomError(a.governor, "GovernorUnexpectedProposalState");
    expect(await a.escrow.feeBps()).to.equal(100);
  });
});
