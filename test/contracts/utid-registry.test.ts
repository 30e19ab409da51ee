import { expect } from "chai";
import { network } from "hardhat";
import { AbiCoder, id, keccak256 } from "ethers";
import { deployFixture } from "./fixture.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const fixture = () => deployFixture(connection);

const MANIFEST = id("manifest-v1");
const MANIFEST2 = id("manifest-v2");
const ROOT = id("lineage-root");
const CID = "bafy-capsule";

async function withAgent() {
  const a = await networkHelpers.loadFixture(fixture);
  await a.agents.connect(a.actors.agent)["register()"]();
  return a;
}

describe("UTIDRegistry", function () {
  it("mints a deterministic, locked UTID with its manifest, CID and lineage root", async function () {
    const a = await withAgent();
    const { agent } = a.actors;
    const { chainId } = await ethers.provider.getNetwork();
    const expected = BigInt(
      keccak256(
        AbiCoder.defaultAbiCoder().encode(
          ["uint256", "address", "uint256", "bytes32", "uint32"],
          [chainId, await a.utids.getAddress(), 1, MANIFEST, 1],
        ),
      ),
    );
    expect(await a.utids.computeId(1, MANIFEST, 1)).to.equal(expected);
    const tx = a.utids.connect(agent).mint(1, MANIFEST, CID, ROOT, 0);
    await expect(tx).to.emit(a.utids, "UTIDMinted").withArgs(expected, 1, MANIFEST, 1, 0, CID, ROOT);
    await expect(tx).to.emit(a.utids, "Locked").withArgs(expected);
    expect(await a.utids.ownerOf(expected)).to.equal(agent.address);
    expect(await a.utids.locked(expected)).to.equal(true);
    expect(await a.utids.isValid(expected)).to.equal(true);
    const u = await a.utids.utidOf(expected);
    expect([u.agentId, u.manifestHash, u.lineageRoot, u.parent, u.version, u.revoked, u.cid]).to.deep.equal([
      1n,
      MANIFEST,
      ROOT,
      0n,
      1n,
      false,
      CID,
    ]);
    expect(await a.utids.supportsInterface("0xb45a3c0e")).to.equal(true);
    expect(await a.utids.supportsInterface("0x80ac58cd")).to.equal(true);
    await expect(a.utids.utidOf(5)).to.be.revertedWithCustomError(a.utids, "UTIDRegistryUnknown").withArgs(5);
    await expect(a.utids.locked(5))
      .to.be.revertedWithCustomError(a.utids, "ERC721NonexistentToken")
      .withArgs(5);
  });

  it("versions a UTID from its parent", async function () {
    const a = await withAgent();
    const { agent, agent2 } = a.actors;
    const v1 = await a.utids.computeId(1, MANIFEST, 1);
    await a.utids.connect(agent).mint(1, MANIFEST, CID, ROOT, 0);
    const v2 = await a.utids.computeId(1, MANIFEST2, 2);
    await expect(a.utids.connect(agent).mint(1, MANIFEST2, CID, ROOT, v1))
      .to.emit(a.utids, "UTIDMinted")
      .withArgs(v2, 1, MANIFEST2, 2, v1, CID, ROOT);
    await expect(a.utids.connect(agent).mint(1, MANIFEST, CID, ROOT, 0))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistryExists")
      .withArgs(v1);
    await expect(a.utids.connect(agent).mint(1, MANIFEST, CID, ROOT, 77))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistryInvalidParent")
      .withArgs(77, 1);
    await a.agents.connect(agent2)["register()"]();
    await expect(a.utids.connect(agent2).mint(2, MANIFEST, CID, ROOT, v1))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistryInvalidParent")
      .withArgs(v1, 2);
    await a.utids.connect(agent).revoke(v1);
    await expect(a.utids.connect(agent).mint(1, id("m3"), CID, ROOT, v1))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistryInvalidParent")
      .withArgs(v1, 1);
  });

  it("only the agent's owner or approved mints, with a manifest", async function () {
    const a = await withAgent();
    const { agent, outsider, agent2 } = a.actors;
    await expect(a.utids.connect(outsider).mint(1, MANIFEST, CID, ROOT, 0))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistryNotAgentOwner")
      .withArgs(1, outsider.address);
    await expect(a.utids.connect(agent).mint(1, ethers.ZeroHash, CID, ROOT, 0)).to.be.revertedWithCustomError(
      a.utids,
      "UTIDRegistryInvalidManifest",
    );
    await a.agents.connect(agent).approve(agent2.address, 1);
    await expect(a.utids.connect(agent2).mint(1, MANIFEST, CID, ROOT, 0)).to.emit(a.utids, "UTIDMinted");
    // minted to the agent's owner, not to the operator that sent it
    expect(await a.utids.ownerOf(await a.utids.computeId(1, MANIFEST, 1))).to.equal(agent.address);
    await a.agents.connect(agent).setApprovalForAll(outsider.address, true);
    await expect(a.utids.connect(outsider).mint(1, MANIFEST2, CID, ROOT, 0)).to.emit(a.utids, "UTIDMinted");
  });

  it("is never transferable or approvable", async function () {
    const a = await withAgent();
    const { agent, outsider } = a.actors;
    const u = await a.utids.computeId(1, MANIFEST, 1);
    await a.utids.connect(agent).mint(1, MANIFEST, CID, ROOT, 0);
    await expect(a.utids.connect(agent).transferFrom(agent.address, outsider.address, u))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistrySoulbound")
      .withArgs(u);
    await expect(
      a.utids.connect(agent)["safeTransferFrom(address,address,uint256)"](agent.address, outsider.address, u),
    )
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistrySoulbound")
      .withArgs(u);
    await expect(a.utids.connect(agent).approve(outsider.address, u))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistrySoulbound")
      .withArgs(u);
    await expect(a.utids.connect(agent).setApprovalForAll(outsider.address, true))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistrySoulbound")
      .withArgs(0);
  });

  it("is revoked by its owner or governance, once", async function () {
    const a = await withAgent();
    const { agent, outsider } = a.actors;
    const u1 = await a.utids.computeId(1, MANIFEST, 1);
    const u2 = await a.utids.computeId(1, MANIFEST2, 1);
    await a.utids.connect(agent).mint(1, MANIFEST, CID, ROOT, 0);
    await a.utids.connect(agent).mint(1, MANIFEST2, CID, ROOT, 0);
    await expect(a.utids.connect(outsider).revoke(u1))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistryUnauthorized")
      .withArgs(u1, outsider.address);
    await expect(a.utids.connect(agent).revoke(u1))
      .to.emit(a.utids, "UTIDRevoked")
      .withArgs(u1, agent.address);
    expect(await a.utids.isValid(u1)).to.equal(false);
    await expect(a.utids.connect(agent).revoke(u1))
      .to.be.revertedWithCustomError(a.utids, "UTIDRegistryRevoked")
      .withArgs(u1);
    const tl = await a.timelockSigner.getAddress();
    await expect(a.utids.connect(a.timelockSigner).revoke(u2))
      .to.emit(a.utids, "UTIDRevoked")
      .withArgs(u2, tl);
  });
});
