import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { EventLogClosedError, SqliteEventLog } from "../../../node/src/storage/event-log.ts";
import { runEffectOnce } from "../../../node/src/storage/effects.ts";

describe("storage: durable event log (node:sqlite)", () => {
  let dir: string;
  let n = 0;
  const fresh = (): SqliteEventLog => {
    const log = new SqliteEventLog({
      path: path.join(dir, `log-${n++}.sqlite`),
      now: () => 1_700_000_000_000,
    });
    log.start();
    return log;
  };
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), "ainur-log-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("appends in order, reads by stream and survives reopening", () => {
    const log = fresh();
    log.append("a", "x:made", { i: 1 });
    log.append("b", "x:made", { i: 2 });
    log.append("a", "x:made", { i: 3, nested: [true, null, "s"] });
    expect(log.lastSeq()).to.equal(3);
    log.stop();
    const again = new SqliteEventLog({ path: log.path });
    again.start();
    expect([...again.read({ stream: "a" })].map((e) => e.data)).to.deep.equal([
      { i: 1 },
      { i: 3, nested: [true, null, "s"] },
    ]);
    expect([...again.read({ afterSeq: 1 })].map((e) => e.seq)).to.deep.equal([2, 3]);
    again.stop();
  });

  it("uses WAL mode, and refuses updates and deletes", () => {
    const log = fresh();
    log.append("s", "t", 1);
    log.stop();
    const raw = new DatabaseSync(log.path);
    expect((raw.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).to.equal(
      "wal",
    );
    expect(() => raw.exec("UPDATE events SET data = '2'")).to.throw(/append-only/);
    expect(() => raw.exec("DELETE FROM events")).to.throw(/append-only/);
    raw.close();
  });

  it("stores a keyed event once and returns the first on a repeat", () => {
    const log = fresh();
    const first = log.append("s", "pay:sent", { amount: 5 }, { key: "pay-1" });
    const second = log.append("s", "pay:sent", { amount: 7 }, { key: "pay-1" });
    expect(second).to.deep.equal(first);
    expect(log.lastSeq()).to.equal(1);
    log.stop();
  });

  it("appends a batch atomically", () => {
    const log = fresh();
    log.append("s", "t", 0, { key: "k" });
    const bad = [
      { stream: "s", type: "t", data: 1 },
      { stream: "s", type: "t", data: 2, key: "k2" },
    ];
    expect(log.appendBatch(bad)).to.have.length(2);
    // A batch that throws mid-way leaves nothing behind.
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() =>
      log.appendBatch([
        { stream: "s", type: "t", data: 3 },
        { stream: "s", type: "t", data: circular as never },
      ]),
    ).to.throw(TypeError);
    expect(log.lastSeq()).to.equal(3);
    log.stop();
  });

  it("refuses use before start with an error that says what to do", () => {
    const log = new SqliteEventLog({ path: path.join(dir, "closed.sqlite") });
    expect(() => log.append("s", "t", 1)).to.throw(EventLogClosedError, /call start\(\)/);
  });

  it("runs an effect once, replays its result, and re-runs a started-but-unfinished one with the same key", async () => {
    const log = fresh();
    const calls: string[] = [];
    const effect = async (key: string): Promise<number> => {
      calls.push(key);
      return 42;
    };
    expect(await runEffectOnce(log, "s", "e1", effect)).to.deep.equal({
      result: 42,
      replayed: false,
      retried: false,
    });
    expect(await runEffectOnce(log, "s", "e1", effect)).to.deep.equal({
      result: 42,
      replayed: true,
      retried: false,
    });
    expect(calls).to.deep.equal(["e1"]);
    // A crash between start and done: the effect throws here, as a dead process would never record done.
    await runEffectOnce(log, "s", "e2", async () => Promise.reject(new Error("died"))).catch(() => {});
    expect(await runEffectOnce(log, "s", "e2", effect)).to.deep.equal({
      result: 42,
      replayed: false,
      retried: true,
    });
    expect(calls).to.deep.equal(["e1", "e2"]);
    log.stop();
  });
});
