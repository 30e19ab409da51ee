/**
 * explorer/: the web explorer the node serves: static HTML/JS/CSS (no build step) over the node's
 * HTTP API and server-sent events. It shows live tasks and auctions, agents with stake and
 * reputation, lineage records with a "verify on-chain" button, and governance parameters and
 * proposals. The API server (api/) has no hook for extra routes, so the explorer runs its own
 * small server that serves the page and its JSON, and passes `/v1/*`, `/metrics` and `/healthz`
 * through to the API.
 */
import { ExplorerServer } from "./server.ts";
import type { ExplorerComponents, ExplorerInit } from "./server.ts";

export { ExplorerServer } from "./server.ts";
export type {
  ExplorerComponents,
  ExplorerInit,
  ExplorerSource,
  ExplorerState,
  ExplorerVerdict,
} from "./server.ts";

export function createExplorer(init: ExplorerInit, components: ExplorerComponents): ExplorerServer {
  return new ExplorerServer(components, init);
}
