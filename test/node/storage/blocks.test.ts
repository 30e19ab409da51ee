import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  BlockEncodeError,
  BlockTooLargeError,
  MAX_RAW_BLOCK_BYTES,
  BlockNotFoundError,
  createBlockStore,
  InvalidCidError,
  type BlockStore,
} from "../../../node/src/storage/blocks.ts";

describe("storage/blocks: Helia over loopback", function () {
  let dir: string;
  let a: BlockStore;
  let b: BlockStore;

  before(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), "ainur-blocks-"));
    a = createBlockStore({ directory: path.join(dir, "a"), transport: { seed: new Uint8Array(32).fill(7) } });
    await a.start();
    b = createBlockStore({
      directory: path.join(dir, "b"),
      transport: { peers: [a.transport.addresses()[0]!] },
    });
    await b.start();
  });

  after(async function () {
    await b?.stop();
    await a?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("stores a dag-json block on one node and fetches it by CID from another", async function () {
    const record = {
      task: "0x01",
      agent: "did:ainur:31337:7",
      inputs: ["bafy-input"],
      output: { ok: true, n: 42 },
    };
    const cid = await a.putJson(record);
    expect(cid).to.match(/^bagu/); // dag-json CIDv1, base32
    expect(await b.has(cid)).to.equal(false);
    expect(await b.getJson(cid, { timeoutMs: 10_000 })).to.deep.equal(record);
    expect(await b.has(cid)).to.equal(true);
  });

  it("moves raw artifact bytes by CID, and refuses blocks over the size limit", async function () {
    const artifact = new Uint8Array(300_000).map((_, i) => (i * 31) & 255);
    const cid = await a.putBytes(artifact);
    expect(cid).to.match(/^bafkrei/); // raw, sha2-256
    expect(Buffer.compare(await b.getBytes(cid, { timeoutMs: 10_000 }), artifact)).to.equal(0);
    let error: unknown;
    try {
      await a.putBytes(new Uint8Array(MAX_RAW_BLOCK_BYTES + 1));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BlockTooLargeError);
  });

  it("gives the same CID for the same content", async function () {
    expect(await a.putJson({ x: 1, y: [1, 2] })).to.equal(await b.putJson({ y: [1, 2], x: 1 }));
  });

  it("times out on a CID that no connected peer holds", async function () {
    const cid = await a.putJson({ only: "here" });
    const lonely = createBlockStore({ directory: path.join(dir, "lonely") });
    await lonely.start();
    try {
      let error: unknown;
      try {
        await lonely.getJson(cid, { timeoutMs: 300 });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(BlockNotFoundError);
      expect((error as BlockNotFoundError).cid).to.equal(cid);
    } finally {
      await lonely.stop();
    }
  });

  it("rejects undefined values and malformed CIDs", async function () {
    let error: unknown;
    try {
      await a.putJson({ x: undefined });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BlockEncodeError);
    error = undefined;
    try {
      await a.getJson("not-a-cid");
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(InvalidCidError);
  });

  it("keeps blocks and the peer id across a restart", async function () {
    const cid = await b.putJson({ persisted: true });
    const peerId = b.transport.peerId;
    await b.stop();
    b = createBlockStore({ directory: path.join(dir, "b") });
    await b.start();
    expect(b.transport.peerId).to.equal(peerId);
    expect(await b.getJson(cid, { timeoutMs: 1000 })).to.deep.equal({ persisted: true });
  });
});
