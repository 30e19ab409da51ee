import { expect } from "chai";
import { AgentKeys, formatDid, signEnvelope } from "../../../node/src/identity/index.ts";
import { TYPES } from "../../../node/src/market/index.ts";
import {
  ExecuteOrder,
  MESSAGE_TYPES,
  MessageRejectedError,
  accountDidResolver,
  createMessageVerifier,
  nodeKeys,
  openMessage,
  signMessage,
} from "../../../node/src/node/protocol.ts";

const CHAIN = 31337;
// Hardhat's development accounts 1 and 2 (public test keys).
const KEY_A = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const KEY_B = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const T0 = 1_800_000_000_000;

const orderBody = (requester: string) => ({
  v: 1 as const,
  type: "execute" as const,
  taskId: "t1-uppercase",
  taskKey: "0x" + "11".repeat(32),
  capability: "text.uppercase",
  input: { text: "hello" },
  inputs: ["bafkreitest"],
  parentCommitment: "0",
  price: "935000000000000000",
  requester,
});

describe("node/protocol: the node's messages in identity's envelopes", function () {
  const a = nodeKeys(KEY_A, CHAIN);
  const b = nodeKeys(KEY_B, CHAIN);
  const verifier = () => createMessageVerifier({ now: () => T0 });

  it("signs as the account's address DID and opens for the account the body names, once", function () {
    expect(a.did).to.equal(formatDid(CHAIN, a.address));
    expect(a.address).to.equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    const v = verifier();
    const bytes = signMessage(a, MESSAGE_TYPES.execute, orderBody(a.address), T0 + 60_000);
    const opened = openMessage(v, bytes, MESSAGE_TYPES.execute, ExecuteOrder, (x) => x.requester);
    expect(opened.body).to.deep.equal(orderBody(a.address));
    expect(opened.expiry).to.equal(T0 + 60_000);
    expect(() => openMessage(v, bytes, MESSAGE_TYPES.execute, ExecuteOrder, (x) => x.requester))
      .to.throw(MessageRejectedError)
      .with.property("reason", "replayed");
  });

  it("refuses a message signed by one account that names another, an expired one, and a malformed one", function () {
    const v = verifier();
    const forged = signMessage(b, MESSAGE_TYPES.execute, orderBody(a.address), T0 + 60_000);
    expect(() => openMessage(v, forged, MESSAGE_TYPES.execute, ExecuteOrder, (x) => x.requester))
      .to.throw(MessageRejectedError, /not 0x70997970/)
      .with.property("reason", "forged");
    const expired = signMessage(a, MESSAGE_TYPES.execute, orderBody(a.address), T0 - 1);
    expect(() => openMessage(v, expired, MESSAGE_TYPES.execute, ExecuteOrder, (x) => x.requester))
      .to.throw(MessageRejectedError)
      .with.property("reason", "expired");
    const bad = signMessage(a, MESSAGE_TYPES.execute, { ...orderBody(a.address), price: "-1" }, T0 + 60_000);
    expect(() => openMessage(v, bad, MESSAGE_TYPES.execute, ExecuteOrder, (x) => x.requester))
      .to.throw(MessageRejectedError)
      .with.property("reason", "malformed");
    const other = signMessage(a, TYPES.cfp, orderBody(a.address), T0 + 60_000);
    expect(() => openMessage(v, other, MESSAGE_TYPES.execute, ExecuteOrder, (x) => x.requester))
      .to.throw(MessageRejectedError)
      .with.property("otherType", TYPES.cfp);
  });

  it("opens no ed25519 envelope (address DIDs list no message key) and resolves only address DIDs", function () {
    const v = verifier();
    const ed = signEnvelope(a, MESSAGE_TYPES.execute, orderBody(a.address), {
      alg: "ed25519",
      expiry: T0 + 60_000,
    });
    expect(() => openMessage(v, ed, MESSAGE_TYPES.execute, ExecuteOrder, (x) => x.requester))
      .to.throw(MessageRejectedError)
      .with.property("reason", "forged");
    const seeded = AgentKeys.fromSeed(new Uint8Array(32).fill(7), CHAIN, "5");
    expect(accountDidResolver.resolve(seeded.did)).to.equal(undefined);
    expect(accountDidResolver.resolve("not-a-did")).to.equal(undefined);
    expect(accountDidResolver.resolve(a.did)).to.deep.equal({
      did: a.did,
      address: a.address,
      messageKey: "0x",
    });
  });
});
