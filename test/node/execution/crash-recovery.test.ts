/**
 * Crash recovery: a real child `node` process runs a workflow over the durable SQLite log; the test
 * SIGKILLs it while a side effect is in flight, starts it again, and checks that the workflow
 * completes and that no side effect was applied twice. The side effects are chat completions sent to
 * an OpenAI-compatible server this test owns; it applies each Idempotency-Key at most once and
 * appends every applied effect to a file.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteEventLog } from "../../../node/src/storage/event-log.ts";

const worker = fileURLToPath(new URL("./fixtures/crash-worker.ts", import.meta.url));

describe("execution: crash recovery over the durable log", function () {
  let dir: string;
  let server: Server;
  let url: string;
  const received = new Map<string, number>();
  const responses = new Map<string, string>();
  let holdKey: string | undefined;
  let onHeld: (() => void) | undefined;
  const held: ServerResponse[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ainur-crash-"));
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const key = String(req.headers["idempotency-key"]);
        received.set(key, (received.get(key) ?? 0) + 1);
        let reply = responses.get(key);
        if (reply === undefined) {
          // Apply the effect exactly once per key: record it in the effects file.
          const prompt = (JSON.parse(body) as { messages: Array<{ content: string }> }).messages[0]!.content;
          appendFileSync(path.join(dir, "effects.log"), `${key}\n`);
          reply = JSON.stringify({
            model: "test-model",
            choices: [
              {
                message: { role: "assistant", content: `${key.split("/")[1]}(${prompt})` },
                finish_reason: "stop",
              },
            ],
            usage: { total_tokens: 1 },
          });
          responses.set(key, reply);
        }
        if (key === holdKey) {
          // The effect is applied but its reply never reaches the worker: the crash window.
          held.push(res);
          onHeld?.();
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(reply);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  after(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  function start(db: string): {
    child: ChildProcess;
    exit: Promise<{ code: number | null; signal: string | null; out: string }>;
  } {
    const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", worker], {
      env: { ...process.env, AINUR_DB: db, AINUR_CHAT_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    const exit = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal, out: out + err })),
    );
    return { child, exit };
  }

  it("completes after SIGKILL mid-workflow and applies every side effect once", async function () {
    const db = path.join(dir, "node.sqlite");

    holdKey = "crash-wf/part2";
    const first = start(db);
    const heldNow = new Promise<void>((r) => (onHeld = r));
    await Promise.race([
      heldNow,
      first.exit.then((e) => Promise.reject(new Error(`worker exited early: ${e.out}`))),
    ]);
    first.child.kill("SIGKILL");
    const died = await first.exit;
    expect(died.signal).to.equal("SIGKILL");

    // The log shows the run stopped part-way: part2's effect started but never recorded done.
    const before = new SqliteEventLog({ path: db });
    before.start();
    const types = [...before.read({ stream: "workflow:crash-wf" })].map((e) => e.type);
    expect(types).to.include("effect:started");
    expect(types).not.to.include("workflow:completed");
    expect(before.byKey("effect:done:crash-wf/outline")).to.not.equal(undefined);
    expect(before.byKey("effect:done:crash-wf/part2")).to.equal(undefined);
    before.stop();

    holdKey = undefined;
    const second = start(db);
    const done = await second.exit;
    expect(done.code, done.out).to.equal(0);
    const [result] = JSON.parse(done.out.trim().split("\n").at(-1)!) as Array<{
      status: string;
      outputs: Record<string, { content?: string; text?: string }>;
    }>;
    expect(result!.status).to.equal("completed");
    expect(result!.outputs.publish!.content).to.equal(
      "publish(part1(outline(outline)) | part2(outline(outline)) | part3(outline(outline)))",
    );

    // Every effect applied exactly once, even the one in flight at the kill.
    const applied = readFileSync(path.join(dir, "effects.log"), "utf8").trim().split("\n").sort();
    expect(applied).to.deep.equal(
      ["outline", "part1", "part2", "part3", "publish"].map((t) => `crash-wf/${t}`).sort(),
    );
    // What finished before the crash was not even re-sent; the in-flight one was re-sent with its key.
    expect(received.get("crash-wf/outline")).to.equal(1);
    expect(received.get("crash-wf/part2")).to.equal(2);
    expect(received.get("crash-wf/publish")).to.equal(1);

    const after = new SqliteEventLog({ path: db });
    after.start();
    const events = [...after.read({ stream: "workflow:crash-wf" })];
    after.stop();
    expect(events.filter((e) => e.type === "workflow:resumed")).to.have.length(1);
    expect(
      events.filter((e) => e.type === "effect:retried").map((e) => (e.data as { key: string }).key),
    ).to.include("crash-wf/part2");
    expect(events.at(-1)!.type).to.equal("workflow:completed");

    // A third start finds nothing to do and sends nothing.
    const total = [...received.values()].reduce((a, b) => a + b, 0);
    const third = start(db);
    expect((await third.exit).code).to.equal(0);
    expect([...received.values()].reduce((a, b) => a + b, 0)).to.equal(total);
  });
});
