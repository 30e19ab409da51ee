import { expect } from "chai";
import {
  capabilityTopic,
  createTransport,
  RemoteRequestError,
  RequestTooLargeError,
  type Transport,
} from "../../../node/src/transport/index.ts";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("transport: two libp2p nodes on 127.0.0.1", function () {
  let a: Transport;
  let b: Transport;

  before(async function () {
    a = createTransport({ seed: seed(1), maxMessageBytes: 4096 });
    await a.start();
    b = createTransport({ seed: seed(2), peers: [a.addresses()[0]!], maxMessageBytes: 4096 });
    await b.start();
  });

  after(async function () {
    await b?.stop();
    await a?.stop();
  });

  it("listens on loopback only, with deterministic peer ids from seeds", function () {
    for (const addr of [...a.addresses(), ...b.addresses()])
      expect(addr).to.match(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
    expect(a.connectedPeers()).to.deep.equal([b.peerId]);
    const again = createTransport({ seed: seed(1) });
    return again.start().then(async () => {
      expect(again.peerId).to.equal(a.peerId);
      await again.stop();
    });
  });

  it("refuses to listen off loopback unless asked", async function () {
    const t = createTransport({ listen: ["/ip4/0.0.0.0/tcp/0"] });
    let error: unknown;
    try {
      await t.start();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RangeError);
  });

  it("exchanges a gossip message on a capability topic", async function () {
    const topic = capabilityTopic("summarize");
    const received = new Promise<{ data: string; from: string }>((resolve) => {
      b.subscribe(topic, (data, from) => {
        resolve({ data: str(data), from });
        return "accept";
      });
    });
    a.subscribe(topic, () => "accept");
    await a.waitForSubscribers(topic, 1);
    const recipients = await a.publish(topic, text("call for proposals #1"));
    expect(recipients).to.equal(1);
    expect(await received).to.deep.equal({ data: "call for proposals #1", from: a.peerId });
  });

  it("lets several handlers share a topic: any reject rejects, removing one keeps the others", async function () {
    const topic = capabilityTopic("shared");
    const seen: string[] = [];
    const first = (data: Uint8Array) => (seen.push(`first:${str(data)}`), "ignore" as const);
    const got = new Promise<void>((resolve) => {
      b.subscribe(topic, first);
      b.subscribe(topic, (data) => (seen.push(`second:${str(data)}`), resolve(), "accept"));
    });
    a.subscribe(topic, () => "accept");
    await a.waitForSubscribers(topic, 1);
    const accepted = b.stats().gossipAccepted;
    await a.publish(topic, text("one"));
    await got;
    expect(seen).to.deep.equal(["first:one", "second:one"]);
    expect(b.stats().gossipAccepted).to.equal(accepted + 1);
    b.unsubscribe(topic, first);
    const again = new Promise<void>((resolve) => b.subscribe(topic, () => (resolve(), "accept")));
    await a.publish(topic, text("two"));
    await again;
    expect(seen).to.deep.equal(["first:one", "second:one", "second:two"]); // the first handler is gone
  });

  it("exchanges a request and a response", async function () {
    await b.handle("/ainur/test/echo/1.0.0", (request, from) =>
      text(`${from === a.peerId ? "ok" : "?"}:${str(request).toUpperCase()}`),
    );
    const reply = await a.request(b.peerId, "/ainur/test/echo/1.0.0", text("sealed bid"));
    expect(str(reply)).to.equal("ok:SEALED BID");
  });

  it("returns a handler's error to the caller", async function () {
    await b.handle("/ainur/test/fail/1.0.0", () => {
      throw new Error("bid window closed");
    });
    let error: unknown;
    try {
      await a.request(b.peerId, "/ainur/test/fail/1.0.0", text("x"));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RemoteRequestError);
    expect((error as RemoteRequestError).reason).to.contain("bid window closed");
  });

  it("refuses an oversized request on both ends", async function () {
    let error: unknown;
    try {
      await a.request(b.peerId, "/ainur/test/echo/1.0.0", new Uint8Array(5000));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RequestTooLargeError);
  });

  it("rejects capability names that are not topic-safe", function () {
    expect(() => capabilityTopic("../etc")).to.throw(RangeError);
  });
});
