import { expect } from "chai";
import { network } from "hardhat";
import { encodeBytes32String, getBytes, hexlify, id, toUtf8Bytes } from "ethers";
import { deployFixture } from "./fixture.ts";
import type { Ainur } from "./fixture.ts";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const fixture = () => deployFixture(connection);

const URI = "ipfs://bafy-registration";
const KEY = id("ed25519-key-1");
const KEY2 = id("ed25519-key-2");
const CAP = encodeBytes32String("llm.chat");
const ZONE = encodeBytes32String("eu");

async function registered() {
  const a = await networkHelpers.loadFixture(fixture);
  await a.agents.connect(a.actors.agent)["register(string)"](URI);
  return a;
}

async function walletSignature(
  a: Ainur,
  wallet: HardhatEthersSigner,
  agentId: bigint,
  owner: string,
  deadline: bigint,
) {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = {
    name: "Ainur AgentRegistry",
    version: "1",
    chainId,
    verifyingContract: await a.agents.getAddress(),
  };
  const types = {
    AgentWalletSet: [
      { name: "agentId", type: "uint256" },
      { name: "newWallet", type: "address" },
      { name: "owner", type: "address" },
      { name: "deadline", type: "uint256" },
    ],
  };
  return wallet.signTypedData(domain, types, { agentId, newWallet: wallet.address, owner, deadline });
}

describe("AgentRegistry", function () {
  describe("ERC-8004 registration", function () {
    it("registers with no URI, a URI, or a URI and metadata; emits Registered", async function () {
      const a = await networkHelpers.loadFixture(fixture);
      const { agent } = a.actors;
      await expect(a.agents.connect(agent)["register()"]())
        .to.emit(a.agents, "Registered")
        .withArgs(1, "", agent.address);
      await expect(a.agents.connect(agent)["register(string)"](URI))
        .to.emit(a.agents, "Registered")
        .withArgs(2, URI, agent.address);
      const meta = [{ metadataKey: "name", metadataValue: hexlify(toUtf8Bytes("Gandalf")) }];
      await expect(a.agents.connect(agent)["register(string,(string,bytes)[])"](URI, meta))
        .to.emit(a.agents, "MetadataSet")
        .withArgs(3, "name", "name", meta[0]!.metadataValue);
      expect(await a.agents.totalAgents()).to.equal(3);
      expect(await a.agents.ownerOf(2)).to.equal(agent.address);
      expect(await a.agents.tokenURI(2)).to.equal(URI);
      expect(await a.agents.tokenURI(1)).to.equal("");
      expect(await a.agents.getMetadata(3, "name")).to.equal(meta[0]!.metadataValue);
      expect(await a.agents.getAgentWallet(1)).to.equal(agent.address);
      expect(await a.agents.getMetadata(1, "agentWallet")).to.equal(agent.address.toLowerCase());
      expect(await a.agents.didOf(2)).to.equal("did:ainur:31337:2");
      expect(await a.agents.isActive(2)).to.equal(true);
      expect(await a.agents.isActive(9)).to.equal(false);
      await expect(a.agents.didOf(9))
        .to.be.revertedWithCustomError(a.agents, "ERC721NonexistentToken")
        .withArgs(9);
    });

    it("reserves the agentWallet metadata key", async function () {
      const a = await registered();
      const meta = [{ metadataKey: "agentWallet", metadataValue: "0x01" }];
      await expect(a.agents.connect(a.actors.agent)["register(string,(string,bytes)[])"](URI, meta))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryReservedKey")
        .withArgs("agentWallet");
      await expect(a.agents.connect(a.actors.agent).setMetadata(1, "agentWallet", "0x01"))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryReservedKey")
        .withArgs("agentWallet");
    });

    it("updates the URI and metadata (owner or approved only)", async function () {
      const a = await registered();
      const { agent, outsider, agent2 } = a.actors;
      await expect(a.agents.connect(agent).setAgentURI(1, "ipfs://new"))
        .to.emit(a.agents, "URIUpdated")
        .withArgs(1, "ipfs://new", agent.address);
      await expect(a.agents.connect(agent).setMetadata(1, "k", "0x1234"))
        .to.emit(a.agents, "MetadataSet")
        .withArgs(1, "k", "k", "0x1234");
      await expect(a.agents.connect(outsider).setAgentURI(1, "x"))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnauthorized")
        .withArgs(1, outsider.address);
      await expect(a.agents.connect(outsider).setMetadata(1, "k", "0x"))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnauthorized")
        .withArgs(1, outsider.address);
      await expect(a.agents.connect(outsider).setAgentURI(7, "x"))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnknownAgent")
        .withArgs(7);
      await a.agents.connect(agent).approve(agent2.address, 1);
      await expect(a.agents.connect(agent2).setAgentURI(1, "ipfs://by-approved")).to.emit(
        a.agents,
        "URIUpdated",
      );
    });
  });

  describe("agent wallet", function () {
    it("sets a wallet proven by an EIP-712 signature, and unsets it", async function () {
      const a = await registered();
      const { agent, agent2, outsider } = a.actors;
      const deadline = BigInt(await networkHelpers.time.latest()) + 60n;
      const sig = await walletSignature(a, agent2, 1n, agent.address, deadline);
      await expect(a.agents.connect(outsider).setAgentWallet(1, agent2.address, deadline, sig))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnauthorized")
        .withArgs(1, outsider.address);
      await expect(a.agents.connect(agent).setAgentWallet(1, agent2.address, deadline, sig))
        .to.emit(a.agents, "MetadataSet")
        .withArgs(1, "agentWallet", "agentWallet", agent2.address.toLowerCase());
      expect(await a.agents.getAgentWallet(1)).to.equal(agent2.address);
      expect(await a.agents.operatorOf(1)).to.equal(agent2.address);
      await expect(a.agents.connect(agent).unsetAgentWallet(1))
        .to.emit(a.agents, "MetadataSet")
        .withArgs(1, "agentWallet", "agentWallet", "0x");
      expect(await a.agents.getAgentWallet(1)).to.equal(ethers.ZeroAddress);
      expect(await a.agents.getMetadata(1, "agentWallet")).to.equal("0x");
      expect(await a.agents.operatorOf(1)).to.equal(agent.address);
      expect(await a.agents.operatorOf(5)).to.equal(ethers.ZeroAddress);
    });

    it("accepts an ERC-1271 contract wallet", async function () {
      const a = await registered();
      const { agent, agent2 } = a.actors;
      const wallet = await ethers.deployContract("MockERC1271Wallet", [agent2.address]);
      const deadline = BigInt(await networkHelpers.time.latest()) + 60n;
      const { chainId } = await ethers.provider.getNetwork();
      const domain = {
        name: "Ainur AgentRegistry",
        version: "1",
        chainId,
        verifyingContract: await a.agents.getAddress(),
      };
      const types = {
        AgentWalletSet: [
          { name: "agentId", type: "uint256" },
          { name: "newWallet", type: "address" },
          { name: "owner", type: "address" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const walletAddress = await wallet.getAddress();
      const sig = await agent2.signTypedData(domain, types, {
        agentId: 1n,
        newWallet: walletAddress,
        owner: agent.address,
        deadline,
      });
      await a.agents.connect(agent).setAgentWallet(1, walletAddress, deadline, sig);
      expect(await a.agents.getAgentWallet(1)).to.equal(walletAddress);
    });

    it("rejects bad wallets, deadlines and signatures", async function () {
      const a = await registered();
      const { agent, agent2, outsider } = a.actors;
      const now = BigInt(await networkHelpers.time.latest());
      const sig = await walletSignature(a, agent2, 1n, agent.address, now + 60n);
      await expect(a.agents.connect(agent).setAgentWallet(1, ethers.ZeroAddress, now + 60n, sig))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryInvalidWallet")
        .withArgs(ethers.ZeroAddress);
      await expect(a.agents.connect(agent).setAgentWallet(1, agent2.address, now, sig))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryDeadlineExpired")
        .withArgs(now, now + 1n);
      await expect(a.agents.connect(agent).setAgentWallet(1, agent2.address, now + 1000n, sig))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryDeadlineTooFar")
        .withArgs(now + 1000n, now + 1n + 300n);
      const wrong = await walletSignature(a, outsider, 1n, agent.address, now + 60n);
      await expect(a.agents.connect(agent).setAgentWallet(1, agent2.address, now + 60n, wrong))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryInvalidWalletSignature")
        .withArgs(1, agent2.address);
      await expect(a.agents.connect(outsider).unsetAgentWallet(1))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnauthorized")
        .withArgs(1, outsider.address);
      void getBytes;
    });

    it("clears the wallet and the controller on transfer", async function () {
      const a = await registered();
      const { agent, agent2, outsider } = a.actors;
      await a.agents.connect(agent).setController(1, outsider.address);
      await expect(a.agents.connect(agent).transferFrom(agent.address, agent2.address, 1))
        .to.emit(a.agents, "MetadataSet")
        .withArgs(1, "agentWallet", "agentWallet", "0x");
      expect(await a.agents.getAgentWallet(1)).to.equal(ethers.ZeroAddress);
      expect(await a.agents.controllerOf(1)).to.equal(agent2.address);
      expect(await a.agents.operatorOf(1)).to.equal(agent2.address);
    });
  });

  describe("DID document", function () {
    it("sets a controller that can recover the DID", async function () {
      const a = await registered();
      const { agent, agent2, outsider } = a.actors;
      expect(await a.agents.controllerOf(1)).to.equal(agent.address);
      await expect(a.agents.connect(agent).setController(1, outsider.address))
        .to.emit(a.agents, "ControllerChanged")
        .withArgs(1, agent.address, outsider.address);
      await expect(a.agents.connect(agent2).recover(1, agent2.address))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnauthorized")
        .withArgs(1, agent2.address);
      await expect(a.agents.connect(outsider).recover(1, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryInvalidOwner")
        .withArgs(ethers.ZeroAddress);
      await expect(a.agents.connect(outsider).recover(1, agent2.address))
        .to.emit(a.agents, "AgentRecovered")
        .withArgs(1, agent.address, agent2.address);
      expect(await a.agents.ownerOf(1)).to.equal(agent2.address);
      await expect(a.agents.connect(agent2).setController(1, ethers.ZeroAddress))
        .to.emit(a.agents, "ControllerChanged")
        .withArgs(1, agent2.address, agent2.address);
      await expect(a.agents.connect(outsider).setController(1, outsider.address))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnauthorized")
        .withArgs(1, outsider.address);
    });

    it("adds, rotates and revokes signing keys", async function () {
      const a = await registered();
      const { agent, outsider } = a.actors;
      await expect(a.agents.connect(agent).addSigningKey(1, KEY))
        .to.emit(a.agents, "SigningKeyAdded")
        .withArgs(1, KEY);
      expect(await a.agents.signingKeyState(1, KEY)).to.equal(1);
      await expect(a.agents.connect(agent).addSigningKey(1, KEY))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryKeyExists")
        .withArgs(1, KEY, 1);
      await expect(a.agents.connect(agent).addSigningKey(1, ethers.ZeroHash))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryInvalidKey")
        .withArgs(ethers.ZeroHash);
      const tx = a.agents.connect(agent).rotateSigningKey(1, KEY, KEY2);
      await expect(tx).to.emit(a.agents, "SigningKeyRevoked").withArgs(1, KEY);
      await expect(tx).to.emit(a.agents, "SigningKeyAdded").withArgs(1, KEY2);
      expect(await a.agents.signingKeyState(1, KEY)).to.equal(2);
      await expect(a.agents.connect(agent).addSigningKey(1, KEY))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryKeyExists")
        .withArgs(1, KEY, 2);
      await expect(a.agents.connect(agent).revokeSigningKey(1, KEY))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryKeyNotActive")
        .withArgs(1, KEY, 2);
      await expect(a.agents.connect(agent).revokeSigningKey(1, KEY2))
        .to.emit(a.agents, "SigningKeyRevoked")
        .withArgs(1, KEY2);
      for (const [fn, args] of [
        ["addSigningKey", [1, KEY]],
        ["revokeSigningKey", [1, KEY]],
        ["rotateSigningKey", [1, KEY, KEY2]],
      ] as [string, unknown[]][]) {
        await expect(a.agents.connect(outsider)[fn](...args))
          .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnauthorized")
          .withArgs(1, outsider.address);
      }
    });

    it("indexes capabilities and zones with events, and sets the profile", async function () {
      const a = await registered();
      const { agent, outsider } = a.actors;
      await expect(a.agents.connect(agent).updateCapabilities(1, [CAP, CAP], []))
        .to.emit(a.agents, "CapabilityAdded")
        .withArgs(1, CAP);
      expect(await a.agents.hasCapability(1, CAP)).to.equal(true);
      await expect(a.agents.connect(agent).updateCapabilities(1, [], [CAP, ZONE]))
        .to.emit(a.agents, "CapabilityRemoved")
        .withArgs(1, CAP);
      expect(await a.agents.hasCapability(1, CAP)).to.equal(false);
      await expect(a.agents.connect(agent).updateZones(1, [ZONE], []))
        .to.emit(a.agents, "ZoneAdded")
        .withArgs(1, ZONE);
      expect(await a.agents.inZone(1, ZONE)).to.equal(true);
      await expect(a.agents.connect(agent).updateZones(1, [], [ZONE, CAP]))
        .to.emit(a.agents, "ZoneRemoved")
        .withArgs(1, ZONE);
      await a.agents.connect(agent).updateZones(1, [ZONE], []);
      await expect(a.agents.connect(agent).updateZones(1, [ZONE], [])).to.not.emit(a.agents, "ZoneAdded");
      await expect(a.agents.connect(agent).updateProfile(1, "https://agent.example", "bafy-meta"))
        .to.emit(a.agents, "ProfileUpdated")
        .withArgs(1, "https://agent.example", "bafy-meta");
      expect(await a.agents.profileOf(1)).to.deep.equal(["https://agent.example", "bafy-meta"]);
      for (const [fn, args] of [
        ["updateCapabilities", [1, [CAP], []]],
        ["updateZones", [1, [ZONE], []]],
        ["updateProfile", [1, "x", "y"]],
        ["deactivate", [1]],
      ] as [string, unknown[]][]) {
        await expect(a.agents.connect(outsider)[fn](...args))
          .to.be.revertedWithCustomError(a.agents, "AgentRegistryUnauthorized")
          .withArgs(1, outsider.address);
      }
    });

    it("deactivation is final: no more updates or recovery", async function () {
      const a = await registered();
      const { agent, outsider } = a.actors;
      await a.agents.connect(agent).setController(1, outsider.address);
      await expect(a.agents.connect(agent).deactivate(1)).to.emit(a.agents, "AgentDeactivated").withArgs(1);
      expect(await a.agents.isActive(1)).to.equal(false);
      await expect(a.agents.connect(agent).updateProfile(1, "x", "y"))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryDeactivated")
        .withArgs(1);
      await expect(a.agents.connect(outsider).recover(1, outsider.address))
        .to.be.revertedWithCustomError(a.agents, "AgentRegistryDeactivated")
        .withArgs(1);
    });
  });
});
