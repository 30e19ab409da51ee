import { expect } from "chai";
import { TypedDataEncoder, verifyTypedData } from "ethers";
import { z } from "zod";
import {
  AgentKeys,
  EnvelopeVerifier,
  MessageRejectedError,
  StaticDidResolver,
  formatDid,
  parseDid,
  signEnvelope,
  typedDataDigest,
  utf8,
  type Eip712Struct,
  type RejectReason,
} from "../../../node/src/identity/index.ts";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const AWARD: Eip712Struct = {
  name: "Award",
  fields: [
    { name: "taskId", type: "bytes32" },
    { name: "agent", type: "address" },
    { name: "price", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

describe("identity", function () {
  const alice = AgentKeys.fromSeed(seed(1), 31337);
  const bob = AgentKeys.fromSeed(seed(2), 31337);
  const resolver = new StaticDidResolver([alice.publicKeys]);
  const Body = z.object({ price: z.number().int().nonnegative() }).strict();
  let now = 1_000_000;
  const verifier = (): EnvelopeVerifier => new EnvelopeVerifier({ resolver, now: () => now, maxBytes: 2048 });

  it("derives DIDs from the account address, deterministically", function () {
    expect(alice.did).to.equal(`did:ainur:31337:${alice.address}`);
    expect(AgentKeys.fromSeed(seed(1), 31337).publicKeys).to.deep.equal(alice.publicKeys);
    expect(parseDid(formatDid(1, "42"))).to.deep.equal({ chainId: 1, id: "42" });
    expect(() => parseDid("did:web:example.com")).to.throw(/not an Ainur DID/);
  });

  it("produces EIP-712 digests and signatures that ethers (and so ECDSA.recover) accept", function () {
    const domain = {
      name: "Ainur TaskEscrow",
      version: "1",
      chainId: 31337,
      verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    };
    const value = {
      taskId: "0x" + "ab".repeat(32),
      agent: bob.address,
      price: 123456789n,
      deadline: 1_700_000_000n,
    };
    const types = { Award: AWARD.fields.map((f) => ({ name: f.name, type: f.type })) };
    const digest = typedDataDigest(domain, AWARD, value);
    expect("0x" + Buffer.from(digest).toString("hex")).to.equal(TypedDataEncoder.hash(domain, types, value));
    const signature = alice.signTypedDigest(digest);
    expect(verifyTypedData(domain, types, value, signature)).to.equal(alice.address);
    const v = parseInt(signature.slice(-2), 16);
    expect(v === 27 || v === 28).to.equal(true);
  });

  it("opens a valid envelope signed with ed25519 or EIP-712", function () {
    for (const alg of ["ed25519", "eip712"] as const) {
      const opened = verifier().open(
        signEnvelope(alice, "test/bid", { price: 5 }, { now, alg }),
        "test/bid",
        Body,
      );
      expect(opened).to.include({ from: alice.did, alg, type: "test/bid" });
      expect(opened.body).to.deep.equal({ price: 5 });
    }
  });

  const reason = (fn: () => unknown): RejectReason | undefined => {
    try {
      fn();
    } catch (error) {
      if (error instanceof MessageRejectedError) return error.reason;
      throw error;
    }
    return undefined;
  };

  it("refuses unsigned, forged, replayed, expired, oversized and malformed messages", function () {
    const v = verifier();
    const good = signEnvelope(alice, "test/bid", { price: 5 }, { now });
    const wire = JSON.parse(new TextDecoder().decode(good)) as { payload: string; sig: string };
    const rewrap = (w: object): Uint8Array => utf8(JSON.stringify(w));
    expect(
      reason(() => v.open(rewrap({ ...wire, sig: undefined, v: 1, alg: "ed25519" }), "test/bid", Body)),
    ).to.equal("unsigned");
    // forged: the payload changed after signing; a signature by a key the DID does not list; an unknown DID
    const tampered = {
      v: 1,
      alg: "ed25519",
      payload: wire.payload.replace('"price":5', '"price":1'),
      sig: wire.sig,
    };
    expect(reason(() => v.open(rewrap(tampered), "test/bid", Body))).to.equal("forged");
    const impostor = JSON.parse(
      new TextDecoder().decode(signEnvelope(bob, "test/bid", { price: 5 }, { now })),
    ) as { payload: string; sig: string };
    const stolen = {
      v: 1,
      alg: "ed25519",
      payload: impostor.payload.replace(bob.did, alice.did),
      sig: impostor.sig,
    };
    expect(reason(() => v.open(rewrap(stolen), "test/bid", Body))).to.equal("forged");
    expect(
      reason(() => v.open(signEnvelope(bob, "test/bid", { price: 5 }, { now }), "test/bid", Body)),
    ).to.equal("forged");
    expect(reason(() => v.open(good, "test/bid", Body))).to.equal(undefined);
    expect(reason(() => v.open(good, "test/bid", Body))).to.equal("replayed");
    expect(
      reason(() =>
        v.open(signEnvelope(alice, "test/bid", { price: 5 }, { now: now - 120_000 }), "test/bid", Body),
      ),
    ).to.equal("expired");
    expect(
      reason(() =>
        v.open(
          signEnvelope(alice, "test/bid", { price: 5, pad: "x".repeat(3000) } as never, { now }),
          "test/bid",
          Body,
        ),
      ),
    ).to.equal("oversized");
    expect(reason(() => v.open(utf8("{not json"), "test/bid", Body))).to.equal("malformed");
    expect(
      reason(() => v.open(signEnvelope(alice, "test/bid", { price: -1 }, { now }), "test/bid", Body)),
    ).to.equal("malformed");
    expect(
      reason(() => v.open(signEnvelope(alice, "test/cfp", { price: 1 }, { now }), "test/bid", Body)),
    ).to.equal("malformed");
    expect(
      reason(() =>
        v.open(signEnvelope(alice, "test/bid", { price: 1 }, { now, ttlMs: 3_600_000 }), "test/bid", Body),
      ),
    ).to.equal("malformed");
  });

  it("forgets nonces only after they expire", function () {
    const v = verifier();
    const msg = signEnvelope(alice, "test/bid", { price: 1 }, { now, ttlMs: 5_000 });
    v.open(msg, "test/bid", Body);
    now += 2_000;
    expect(reason(() => v.open(msg, "test/bid", Body))).to.equal("replayed");
    now += 4_000;
    expect(reason(() => v.open(msg, "test/bid", Body))).to.equal("expired");
  });
});
