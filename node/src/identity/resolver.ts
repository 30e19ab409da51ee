import type { AgentPublicKeys } from "./keys.ts";
import { isDid } from "./did.ts";
import { InvalidDidError } from "./errors.ts";

/**
 * Maps a DID to the keys the registry lists for it. Synchronous on purpose: message admission
 * must not wait on the chain; the chain adapter fills a cache (`StaticDidResolver.add`) from
 * registry events.
 */
export interface DidResolver {
  resolve(did: string): AgentPublicKeys | undefined;
}

export class StaticDidResolver implements DidResolver {
  readonly #entries = new Map<string, AgentPublicKeys>();

  constructor(entries: Iterable<AgentPublicKeys> = []) {
    for (const e of entries) this.add(e);
  }

  add(entry: AgentPublicKeys): void {
    if (!isDid(entry.did)) throw new InvalidDidError(entry.did);
    this.#entries.set(entry.did, { ...entry });
  }

  remove(did: string): void {
    this.#entries.delete(did);
  }

  resolve(did: string): AgentPublicKeys | undefined {
    return this.#entries.get(did);
  }
}
