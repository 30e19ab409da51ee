import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApiServer } from "../../../node/src/api/server.ts";
import { MetricsRegistry } from "../../../node/src/api/metrics.ts";
import { TaskEventBus, TASK_EVENT_TYPES } from "../../../node/src/api/task-events.ts";
import { workflowEventsToTaskEvents } from "../../../node/src/api/index.ts";
import { SqliteEventLog } from "../../../node/src/storage/event-log.ts";
import { AdapterRegistry } from "../../../node/src/execution/adapter-registry.ts";
import { builtinAgents } from "../../../node/src/execution/adapters/builtin.ts";
import { DurableWorkflowRunner } from "../../../node/src/execution/durable-runner.ts";

interface SseEvent {
  id: string;
  event: string;
  data: { id: number; taskId: string; type: string; data: unknown };
}

/** A minimal SSE client over fetch: yields parsed events until `count` arrived. */
async function readEvents(
  url: string,
  count: number,
  headers: Record<string, string> = {},
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: controller.signal,
  });
  expect(res.headers.get("content-type")).to.equal("text/event-stream");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: SseEvent[] = [];
  let buffer = "";
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields = Object.fromEntries(
        block
          .split("\n")
          .filter((l) => !l.startsWith(":") && l.includes(": "))
          .map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]),
      );
      if (fields.event)
        out.push({ id: fields.id!, event: fields.event, data: JSON.parse(fields.data!) as SseEvent["data"] });
    }
  }
  controller.abort();
  return out;
}

describe("api: HTTP, server-sent task events, metrics", () => {
  let dir: string;
  let log: SqliteEventLog;
  let bus: TaskEventBus;
  let api: ApiServer;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ainur-api-"));
    log = new SqliteEventLog({ path: path.join(dir, "node.sqlite") });
    log.start();
    bus = new TaskEventBus({ log });
    const runner = new DurableWorkflowRunner(
      { log, adapters: new AdapterRegistry(builtinAgents()) },
      { onEvent: workflowEventsToTaskEvents(bus) },
    );
    api = new ApiServer({ events: bus, metrics: new MetricsRegistry(), workflows: runner });
    await api.start();
  });
  after(async () => {
    await api.stop();
    log.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("binds 127.0.0.1 and answers health checks", async () => {
    expect(api.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${api.url}/healthz`)).json()).to.deep.equal({ status: "ok" });
  });

  it("streams a task's life cycle in order, and replays from Last-Event-ID", async () => {
    const stream = readEvents(`${api.url}/v1/tasks/task-1/events`, TASK_EVENT_TYPES.length);
    // Wait until the stream is open, then publish the whole life cycle, with noise from another task.
    while (!(await (await fetch(`${api.url}/metrics`)).text()).includes("ainur_sse_clients 1")) {
      await new Promise((r) => setImmediate(r));
    }
    for (const type of TASK_EVENT_TYPES) {
      bus.publish("task-1", type, { step: type });
      bus.publish("task-2", "task:routed");
    }
    const got = await stream;
    expect(got.map((e) => e.event)).to.deep.equal([...TASK_EVENT_TYPES]);
    expect(got.every((e) => e.data.taskId === "task-1")).to.equal(true);
    expect(got[2]!.data.data).to.deep.equal({ step: "task:awarded" });

    // Reconnect after the third event: only the rest comes back, from the durable log.
    const rest = await readEvents(`${api.url}/v1/tasks/task-1/events`, 4, { "last-event-id": got[2]!.id });
    expect(rest.map((e) => e.event)).to.deep.equal([
      "task:executing",
      "task:completed",
      "task:failed",
      "task:anchored",
    ]);

    const summary = (await (await fetch(`${api.url}/v1/tasks/task-1`)).json()) as {
      state: string;
      events: unknown[];
    };
    expect(summary.state).to.equal("task:anchored");
    expect(summary.events).to.have.length(7);
  });

  it("runs a submitted workflow and streams its tasks' execution events", async () => {
    const all = readEvents(`${api.url}/v1/events?after=${log.lastSeq()}`, 4);
    const res = await fetch(`${api.url}/v1/workflows`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: "api-wf",
        tasks: [
          { id: "a", agent: "builtin:uppercase", input: { text: "sse" } },
          { id: "b", agent: "builtin:echo", depends_on: ["a"], input: { got: { $ref: "a.output.text" } } },
        ],
      }),
    });
    expect(res.status).to.equal(202);
    const events = await all;
    expect(events.map((e) => `${e.data.taskId} ${e.event}`)).to.deep.equal([
      "api-wf/a task:executing",
      "api-wf/a task:completed",
      "api-wf/b task:executing",
      "api-wf/b task:completed",
    ]);
    let state: { status: string; outputs: Record<string, unknown> };
    do state = (await (await fetch(`${api.url}/v1/workflows/api-wf`)).json()) as typeof state;
    while (state.status !== "completed");
    expect(state.outputs.b).to.deep.equal({ got: "SSE" });
  });

  it("answers bad requests with JSON errors that say what to do", async () => {
    const post = (body: string, type = "application/json") =>
      fetch(`${api.url}/v1/workflows`, { method: "POST", headers: { "content-type": type }, body });
    const cyclic = await post(
      JSON.stringify({ id: "bad", tasks: [{ id: "a", agent: "builtin:echo", depends_on: ["a"] }] }),
    );
    expect(cyclic.status).to.equal(400);
    expect(((await cyclic.json()) as { error: { name: string } }).error.name).to.equal("DagValidationError");
    const notJson = await post("{");
    expect(notJson.status).to.equal(400);
    expect((await post("x", "text/plain")).status).to.equal(415);
    const missing = await fetch(`${api.url}/v1/nope`);
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).to.match(
      /No route for GET \/v1\/nope/,
    );
    expect((await fetch(`${api.url}/v1/workflows/none`)).status).to.equal(404);
    expect((await fetch(`${api.url}/v1/events`, { method: "DELETE" })).status).to.equal(405);
  });

  it("exposes Prometheus metrics", async () => {
    const res = await fetch(`${api.url}/metrics`);
    expect(res.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).to.include("# TYPE ainur_http_requests_total counter");
    expect(text).to.match(/ainur_http_requests_total\{route="\/healthz",status="200"\} 1/);
    expect(text).to.match(/ainur_task_events_total\{type="task:routed"\} 8/);
    expect(text).to.match(/ainur_workflows_total\{status="completed"\} 1/);
    expect(text).to.match(/ainur_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} 1/);
  });
});
