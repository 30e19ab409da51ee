import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { expect } from "chai";
import { AgentKeys, StaticDidResolver } from "../../../node/src/identity/index.ts";
import { Auctioneer, awardSigner, type Award } from "../../../node/src/market/index.ts";
import { capabilityTopic, createTransport, type Transport } from "../../../node/src/transport/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, "fixtures", "agent-process.ts");
const CHAIN = 31337;
const ESCROW = { chainId: CHAIN, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);

interface Child {
  proc: ChildProcess;
  events: Array<Record<string, unknown>>;
  waitFor(event: string): Promise<Record<string, unknown>>;
}

function startChild(config: object): Child {
  const proc = spawn(process.execPath, [FIXTURE, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<{ event: string; resolve: (e: Record<string, unknown>) => void }> = [];
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    events.push(e);
    for (const w of waiters.filter((w) => w.event === e.event)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  return {
    proc,
    events,
    waitFor: (event) =>
      new Promise((resolve, reject) => {
        const seen = events.find((e) => e.event === event);
        if (seen !== undefined) return resolve(seen);
        waiters.push({ event, resolve });
        proc.once("exit", (code) => reject(new Error(`agent process exited (${code}) before "${event}"`)));
      }),
  };
}

async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once("exit", () => resolve()));
  child.proc.kill("SIGTERM");
  const timer = setTimeout(() => child.proc.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

describe("market: an auction across OS processes over loopback, with a flooding peer", function () {
  this.timeout(120_000);
  const requester = AgentKeys.fromSeed(seed(1), CHAIN);
  const agentSeeds = [11, 12, 13];
  const flooderSeed = 14;
  const costs = [300, 200, 250];
  const agents = agentSeeds.map((s) => AgentKeys.fromSeed(seed(s), CHAIN));
  const flooder = AgentKeys.fromSeed(seed(flooderSeed), CHAIN);
  const registry = [requester, ...agents, flooder].map((k) => k.publicKeys);
  let transport: Transport;
  let auctioneer: Auctioneer;
  const children: Child[] = [];

  before(async function () {
    // Strict limits for this test: a burst of 20 requests, 10/s sustained, ban at −50.
    transport = createTransport({
      seed: seed(2),
      score: { burst: 20, ratePerSecond: 10, banThreshold: -50 },
    });
    await transport.start();
    auctioneer = new Auctioneer(
      { escrow: ESCROW },
      { keys: requester, resolver: new StaticDidResolver(registry), transport },
    );
    await auctioneer.start();
  });

  after(async function () {
    await Promise.all(children.map(stopChild));
    await auctioneer?.stop();
    await transport?.stop();
  });

  it("clears for the honest bidders while the flooder is scored down and cut off", async function () {
    const common = { chainId: CHAIN, auctioneer: transport.addresses()[0]!, registry, escrow: ESCROW };
    for (const [i, s] of agentSeeds.entries())
      children.push(startChild({ ...common, role: "bidder", seed: s, cost: costs[i] }));
    const bidders = children.slice();
    const ready = await Promise.all(bidders.map((c) => c.waitFor("ready")));
    expect(new Set(ready.map((r) => r.peerId)).size).to.equal(3);
    await transport.waitForSubscribers(capabilityTopic("translate"), 3, 30_000);

    const banned = new Promise<string>((resolve) => transport.scorer.onBan((peer) => resolve(peer)));
    const flood = startChild({ ...common, role: "flooder", seed: flooderSeed, cost: 0 });
    children.push(flood);
    const flooderPeer = (await flood.waitFor("ready")).peerId as string;

    const { cfp } = await auctioneer.announce({
      capability: "translate",
      subtasks: ["translate"],
      mechanism: "vickrey",
      reserve: 1000,
      deadline: Date.now() + 60_000,
      taskDeadline: Math.floor(Date.now() / 1000) + 3600,
    });
    await auctioneer.waitForBids(cfp.cfpId, 3, 60_000);
    expect(await banned).to.equal(flooderPeer);
    const cut = await flood.waitFor("cut");
    expect(cut.sent as number).to.be.greaterThan(0);
    expect(transport.connectedPeers()).to.not.include(flooderPeer);
    expect(transport.scorer.isBanned(flooderPeer)).to.equal(true);

    const outcome = await auctioneer.close(cfp.cfpId);
    expect(outcome.bids).to.equal(3);
    expect(outcome.winners).to.have.length(1);
    expect(outcome.winners[0]).to.include({
      bidder: agents[1]!.did,
      ask: 200,
      payment: 250,
      delivered: true,
    });
    const { award } = (await bidders[1]!.waitFor("award")) as { award: Award };
    const e = award.escrow;
    expect(
      awardSigner(ESCROW, { taskId: e.taskId, agent: e.agent, price: BigInt(e.price) }, e.signature),
    ).to.equal(requester.address);
    expect(bidders[0]!.events.some((x) => x.event === "award")).to.equal(false);
    // the flood was refused and counted, never stored as a bid
    expect(auctioneer.dropped.malformed).to.be.greaterThan(0);
    expect(transport.stats().peersBanned).to.equal(1);
  });
});
