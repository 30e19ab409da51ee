import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  EnvelopeTamperedError,
  MissingZoneKeyError,
  ZoneUnsealRefusedError,
  seal,
  unseal,
  zoneKey,
} from "../../../node/src/routing/envelope.ts";
import { InvalidZoneError, ZoneViolationError } from "../../../node/src/routing/zones.ts";
import { NoRouteError } from "../../../node/src/routing/router.ts";
import { routingFixture } from "./fixtures.ts";

const seed = (label: string): Uint8Array => createHash("sha256").update(`ainur-test-zone-${label}`).digest();

describe("routing: jurisdiction zones", () => {
  it("never shortlists an agent outside the task's zones, even the fastest", () => {
    const f = routingFixture({ shortlistSize: 10 });
    f.register("us-fast", ["text"], ["us"]);
    f.register("eu-slow", ["text"], ["eu"]);
    f.register("ch-mid", ["text"], ["ch"]);
    f.register("eu-us", ["text"], ["eu", "us"]);
    f.beat("us-fast", { latencyMs: 1, processingMs: 1 });
    f.beat("eu-slow", { latencyMs: 500, processingMs: 500 });
    f.beat("ch-mid", { latencyMs: 50, processingMs: 50 });
    f.beat("eu-us", { latencyMs: 100, processingMs: 100 });
    expect(
      f.router.shortlist({ capability: "text", zones: ["eu", "ch"] }).map((c) => c.agentId),
    ).to.deep.equal(["ch-mid", "eu-us", "eu-slow"]);
    expect(f.router.shortlist({ capability: "text", zones: ["US"] }).map((c) => c.agentId)).to.deep.equal([
      "us-fast",
      "eu-us",
    ]);
  });

  it("refuses an explicit route outside the zones, naming the agent's zone and the allowed ones", () => {
    const f = routingFixture();
    f.register("us-fast", ["text"], ["us"]);
    expect(() => f.router.assertRoutable("us-fast", ["eu", "ch"]))
      .to.throw(ZoneViolationError)
      .with.property("message")
      .that.matches(/runs in zone us, but the task allows only ch, eu/);
    expect(() => f.router.shortlist({ capability: "text", zones: ["EU west"] })).to.throw(InvalidZoneError);
  });

  it("does not fall back outside the zones when no agent inside is available", async () => {
    const f = routingFixture();
    f.register("us-fast", ["text"], ["us"]);
    f.beat("us-fast");
    let called = false;
    const err = await f.router
      .dispatch({ capability: "text", zones: ["eu"] }, async () => {
        called = true;
      })
      .catch((e: Error) => e);
    expect(err).to.be.instanceOf(NoRouteError);
    expect(called).to.equal(false);
  });
});

describe("routing: sealed envelopes bound to the zone policy", () => {
  const eu = zoneKey("eu", seed("eu"));
  const ch = zoneKey("ch", seed("ch"));
  const us = zoneKey("us", seed("us"));
  const directory = { eu: eu.publicKey, ch: ch.publicKey, us: us.publicKey };
  const input = new TextEncoder().encode(JSON.stringify({ patient: "record 17", note: "confidential" }));

  it("derives the same zone key from the same seed", () => {
    expect(Buffer.from(zoneKey("eu", seed("eu")).publicKey)).to.deep.equal(Buffer.from(eu.publicKey));
    expect(eu.publicKey).to.have.length(32);
  });

  it("unseals inside any allowed zone", () => {
    const envelope = seal(input, ["eu", "CH"], directory);
    expect(envelope.zones).to.deep.equal(["ch", "eu"]);
    expect(Object.keys(envelope.keys).sort()).to.deep.equal(["ch", "eu"]);
    expect(Buffer.from(unseal(envelope, eu))).to.deep.equal(Buffer.from(input));
    expect(Buffer.from(unseal(envelope, ch))).to.deep.equal(Buffer.from(input));
    expect(JSON.stringify(envelope)).to.not.include("confidential");
  });

  it("refuses to unseal outside the allowed zones, naming both zones", () => {
    const envelope = seal(input, ["eu", "ch"], directory);
    expect(() => unseal(envelope, us))
      .to.throw(ZoneUnsealRefusedError)
      .with.property("message")
      .that.matches(/unseal in zone "us".*only be opened in "ch", "eu"/);
  });

  it("cannot be opened by editing the zone list, even with a wrapped key copied over", () => {
    const envelope = seal(input, ["eu"], directory);
    const widened = { ...envelope, zones: ["eu", "us"], keys: { ...envelope.keys, us: envelope.keys.eu! } };
    // The US node passes the policy check now, but it holds no key that opens the copied wrap.
    expect(() => unseal(widened, us)).to.throw(
      EnvelopeTamperedError,
      /wrapped data key does not authenticate/,
    );
    // The EU node still has the right key, but the payload is bound to the original policy.
    expect(() => unseal(widened, eu)).to.throw(EnvelopeTamperedError);
  });

  it("detects a flipped ciphertext bit and refuses to seal for a zone without a key", () => {
    const envelope = seal(input, ["eu"], directory);
    const ct = Buffer.from(envelope.payload.ct, "base64");
    ct[0]! ^= 1;
    const flipped = { ...envelope, payload: { ...envelope.payload, ct: ct.toString("base64") } };
    expect(() => unseal(flipped, eu)).to.throw(EnvelopeTamperedError, /payload does not authenticate/);
    expect(() => seal(input, ["eu", "jp"], directory)).to.throw(MissingZoneKeyError, /zone "jp"/);
  });
});
