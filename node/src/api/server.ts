/**
 * The node's HTTP API (node:http, bound to 127.0.0.1 unless told otherwise):
 *
 * | method | path | what |
 * |---|---|---|
 * | GET  | /healthz | `{ status: "ok" }` |
 * | GET  | /metrics | Prometheus text format |
 * | GET  | /v1/events | server-sent events for every task (`?task=<id>` to filter) |
 * | GET  | /v1/tasks/:id/events | server-sent events for one task |
 * | GET  | /v1/tasks/:id | the task's events so far and its latest state |
 * | POST | /v1/workflows | submit a workflow (DAG) to run; 202 with its id |
 * | GET  | /v1/workflows/:id | the workflow's state, rebuilt from the log |
 *
 * SSE streams send `id:` (replay with `Last-Event-ID` or `?after=`), `event:` (the task event type)
 * and `data:` (JSON), plus a comment every 15 s to keep proxies from closing idle streams.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { DurableWorkflowRunner } from "../execution/durable-runner.ts";
import type { WorkflowSpec } from "../execution/dag.ts";
import type { MetricsRegistry, Counter, Gauge, Histogram } from "./metrics.ts";
import type { TaskEvent, TaskEventBus } from "./task-events.ts";

export interface ApiServerInit {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Largest request body, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** SSE keep-alive comment period, ms (default 15 s). */
  keepAliveMs?: number;
}

export interface ApiServerComponents {
  events: TaskEventBus;
  metrics: MetricsRegistry;
  workflows?: DurableWorkflowRunner;
}

export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  /** The name of the error behind this one (e.g. `DagValidationError`), reported to the client. */
  readonly reason: string;
  constructor(status: number, message: string, reason = "HttpError") {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export class ApiServer {
  private readonly init: Required<ApiServerInit>;
  private readonly c: ApiServerComponents;
  private server: Server | undefined;
  private readonly streams = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private readonly m: {
    requests: Counter;
    duration: Histogram;
    clients: Gauge;
    events: Counter;
    workflows: Counter;
  };
  private unsubscribe: (() => void) | undefined;

  constructor(components: ApiServerComponents, init: ApiServerInit = {}) {
    this.c = components;
    this.init = { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, keepAliveMs: 15_000, ...init };
    const r = components.metrics;
    this.m = {
      requests: r.counter("ainur_http_requests_total", "HTTP requests served, by route and status.", [
        "route",
        "status",
      ]),
      duration: r.histogram("ainur_http_request_duration_seconds", "Time to answer an HTTP request.", [
        "route",
      ]),
      clients: r.gauge("ainur_sse_clients", "Open server-sent-event streams."),
      events: r.counter("ainur_task_events_total", "Task events published, by type.", ["type"]),
      workflows: r.counter("ainur_workflows_total", "Workflows submitted through the API, by outcome.", [
        "status",
      ]),
    };
  }

  /** The base URL once started, e.g. `http://127.0.0.1:43121`. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("The API server is not listening: call start() first.");
    return `http://${address.address}:${address.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.unsubscribe = this.c.events.subscribe((event) => this.broadcast(event));
    const server = createServer((req, res) => void this.handle(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.init.port, this.init.host, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    for (const res of this.streams) res.end();
    this.streams.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter(Boolean);
    let route = "unknown";
    try {
      if (req.method === "GET" && url.pathname === "/healthz") {
        route = "/healthz";
        return this.json(res, 200, { status: "ok" });
      }
      if (req.method === "GET" && url.pathname === "/metrics") {
        route = "/metrics";
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
        return void res.end(this.c.metrics.render());
      }
      if (parts[0] === "v1" && parts[1] === "events" && parts.length === 2) {
        route = "/v1/events";
        this.allow(req, "GET");
        return this.openStream(req, res, url, url.searchParams.get("task") ?? undefined);
      }
      if (parts[0] === "v1" && parts[1] === "tasks" && parts.length >= 3) {
        const taskId = decodeURIComponent(parts[2]!);
        if (parts.length === 4 && parts[3] === "events") {
          route = "/v1/tasks/:id/events";
          this.allow(req, "GET");
          return this.openStream(req, res, url, taskId);
        }
        if (parts.length === 3) {
          route = "/v1/tasks/:id";
          this.allow(req, "GET");
          const events = this.c.events.replay(0, taskId);
          if (events.length === 0) throw new HttpError(404, `No events for task "${taskId}" on this node.`);
          return this.json(res, 200, { taskId, state: events.at(-1)!.type, events });
        }
      }
      if (parts[0] === "v1" && parts[1] === "workflows") {
        const runner = this.c.workflows;
        if (runner === undefined)
          throw new HttpError(501, "This node runs no workflows (no runner configured).");
        if (parts.length === 2) {
          route = "/v1/workflows";
          this.allow(req, "POST");
          const spec = (await this.body(req)) as WorkflowSpec;
          let id: string;
          try {
            id = runner.submit(spec);
          } catch (error) {
            throw new HttpError(
              error instanceof Error && error.name === "WorkflowConflictError" ? 409 : 400,
              (error as Error).message,
              (error as Error).name,
            );
          }
          runner.run(id).then(
            (result) => this.m.workflows.inc({ status: result.status }),
            () => this.m.workflows.inc({ status: "error" }),
          );
          return this.json(res, 202, {
            id,
            status: "submitted",
            state: `/v1/workflows/${encodeURIComponent(id)}`,
          });
        }
        if (parts.length === 3) {
          route = "/v1/workflows/:id";
          this.allow(req, "GET");
          let state;
          try {
            state = runner.state(decodeURIComponent(parts[2]!));
          } catch (error) {
            throw new HttpError(404, (error as Error).message, (error as Error).name);
          }
          return this.json(res, 200, {
            id: state.spec.id,
            status: state.status,
            runs: state.runs,
            outputs: Object.fromEntries(state.outputs),
            ...(state.error === undefined ? {} : { error: state.error }),
          });
        }
      }
      throw new HttpError(
        404,
        `No route for ${req.method} ${url.pathname}; see the API table in node/src/api/README.md.`,
      );
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const name = error instanceof HttpError ? error.reason : error instanceof Error ? error.name : "Error";
      this.json(res, status, { error: { name, message: (error as Error).message } });
    } finally {
      if (!res.headersSent || res.getHeader("content-type") !== "text/event-stream") {
        this.m.requests.inc({ route, status: String(res.statusCode) });
        this.m.duration.observe((performance.now() - started) / 1000, { route });
      }
    }
  }

  private allow(req: IncomingMessage, method: string): void {
    if (req.method !== method) throw new HttpError(405, `Use ${method} here, not ${req.method}.`);
  }

  private async body(req: IncomingMessage): Promise<unknown> {
    const type = req.headers["content-type"] ?? "";
    if (!type.startsWith("application/json"))
      throw new HttpError(415, `Send JSON (content-type application/json), not "${type}".`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.init.maxBodyBytes)
        throw new HttpError(413, `The body is over ${this.init.maxBodyBytes} bytes.`);
      chunks.push(chunk);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (error) {
      throw new HttpError(400, `The body is not valid JSON (${(error as Error).message}).`);
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  }

  private openStream(req: IncomingMessage, res: ServerResponse, url: URL, taskId: string | undefined): void {
    const after = Number(req.headers["last-event-id"] ?? url.searchParams.get("after") ?? 0);
    if (!Number.isSafeInteger(after) || after < 0)
      throw new HttpError(400, `Last-Event-ID must be a whole number; got "${after}".`);
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    (res as ServerResponse & { taskFilter?: string }).taskFilter = taskId;
    for (const event of this.c.events.replay(after, taskId)) this.send(res, event);
    this.streams.add(res);
    this.m.clients.inc();
    this.m.requests.inc({
      route: taskId === undefined ? "/v1/events" : "/v1/tasks/:id/events",
      status: "200",
    });
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), this.init.keepAliveMs);
    keepAlive.unref();
    res.on("close", () => {
      clearInterval(keepAlive);
      if (this.streams.delete(res)) this.m.clients.dec();
    });
  }

  private broadcast(event: TaskEvent): void {
    this.m.events.inc({ type: event.type });
    for (const res of this.streams) {
      const filter = (res as ServerResponse & { taskFilter?: string }).taskFilter;
      if (filter === undefined || filter === event.taskId) this.send(res, event);
    }
  }

  private send(res: ServerResponse, event: TaskEvent): void {
    res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }
}
