/**
 * The explorer's HTTP server (node:http, 127.0.0.1):
 *
 * | method | path | what |
 * |---|---|---|
 * | GET  | / , /app.js, /style.css | the page (files in public/) |
 * | GET  | /explorer/state | agents, tasks, lineage, governance as JSON |
 * | POST | /explorer/verify/:taskId | verifies the task's lineage proof locally and on-chain; the verdict |
 * | *    | /v1/*, /metrics, /healthz | passed through to the node's API server (SSE included) |
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ApiServer } from "../api/index.ts";
import type { Verdict } from "../lineage/proof-file.ts";

export interface ExplorerState {
  chainId: string;
  block: number;
  lineage: { records: number; root: string };
  agents: {
    id: number;
    did: string;
    operator: string;
    uri: string;
    stake: string;
    score: string;
    completed: number;
    failed: number;
  }[];
  tasks: {
    taskId: string;
    capability: string;
    status: "running" | "completed" | "failed";
    bids: { did: string; price: string; strategy: string }[];
    winner: string | null;
    price: string | null;
    error: string | null;
    commitment: string | null;
    root: string | null;
    anchorBlock: number | null;
    hasProof: boolean;
  }[];
  governance: {
    parameters: Record<string, string>;
    proposals: { id: string; description: string; state: string }[];
  };
}

export type ExplorerVerdict = Verdict;

/** Where the explorer's data comes from (the node implements it). */
export interface ExplorerSource {
  state(): Promise<ExplorerState>;
  /** The verdict for a task's lineage proof, or undefined when the task has no proof. */
  verify(taskId: string): Promise<Verdict | undefined>;
}

export interface ExplorerInit {
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
}

export interface ExplorerComponents {
  api: ApiServer;
  source: ExplorerSource;
}

const PUBLIC = fileURLToPath(new URL("./public/", import.meta.url));
const FILES: Record<string, string> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
};
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

const json = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

export class ExplorerServer {
  private readonly c: ExplorerComponents;
  private readonly init: Required<ExplorerInit>;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(components: ExplorerComponents, init: ExplorerInit = {}) {
    this.c = components;
    this.init = { host: "127.0.0.1", port: 0, ...init };
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("The explorer is not listening: call start() first.");
    return `http://${address.address}:${address.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
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
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      const file = FILES[url.pathname];
      if (req.method === "GET" && file !== undefined) {
        const body = await readFile(PUBLIC + file);
        res.writeHead(200, { "content-type": TYPES[file.split(".").pop()!]!, "cache-control": "no-store" });
        return void res.end(body);
      }
      if (req.method === "GET" && url.pathname === "/explorer/state") {
        return this.send(res, 200, await this.c.source.state());
      }
      const verify = /^\/explorer\/verify\/(.+)$/.exec(url.pathname);
      if (req.method === "POST" && verify) {
        const taskId = decodeURIComponent(verify[1]!);
        const verdict = await this.c.source.verify(taskId);
        if (verdict === undefined) {
          return this.send(res, 404, {
            error: { name: "NoProof", message: `Task ${taskId} has no lineage proof yet.` },
          });
        }
        return this.send(res, 200, verdict);
      }
      if (url.pathname.startsWith("/v1/") || url.pathname === "/metrics" || url.pathname === "/healthz") {
        return await this.proxy(req, res, url);
      }
      this.send(res, 404, { error: { name: "NotFound", message: `Nothing at ${url.pathname}.` } });
    } catch (error) {
      const e = error as Error;
      if (!res.headersSent) this.send(res, 500, { error: { name: e.name, message: e.message } });
      else res.end();
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    res.end(json(body));
  }

  /** Streams the API's answer through (server-sent events included). */
  private async proxy(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    const headers: Record<string, string> = {};
    for (const h of ["accept", "content-type", "last-event-id"]) {
      const v = req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    const chunks: Buffer[] = [];
    if (req.method === "POST") for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(this.c.api.url + url.pathname + url.search, {
      method: req.method ?? "GET",
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      signal: controller.signal,
    });
    res.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    if (upstream.body === null) return void res.end();
    try {
      for await (const chunk of upstream.body) res.write(chunk);
    } catch {
      // the client or the API went away
    }
    res.end();
  }
}
