import { InvalidDidError } from "./errors.ts";

/** `did:ainur:<chainId>:<id>`: the chain whose AgentRegistry holds the DID, and the id there. */
export interface Did {
  chainId: number;
  id: string;
}

const DID_RE = /^did:ainur:([1-9][0-9]{0,15}):([A-Za-z0-9._-]{1,80})$/;

export function formatDid(chainId: number, id: string): string {
  const did = `did:ainur:${chainId}:${id}`;
  if (!Number.isSafeInteger(chainId) || chainId <= 0 || !DID_RE.test(did)) throw new InvalidDidError(did);
  return did;
}

export function parseDid(did: string): Did {
  const m = DID_RE.exec(did);
  if (m === null) throw new InvalidDidError(did);
  return { chainId: Number(m[1]), id: m[2]! };
}

export function isDid(did: string): boolean {
  return DID_RE.test(did);
}
