/** Errors raised by the transport. Each carries the values involved. */

export class TransportNotStartedError extends Error {
  override name = "TransportNotStartedError";
  constructor() {
    super("The transport is not started: call start() before using it.");
  }
}

export class RequestTooLargeError extends Error {
  override name = "RequestTooLargeError";
  readonly protocol: string;
  readonly limit: number;
  readonly received: number;
  constructor(protocol: string, limit: number, received: number) {
    super(
      `A message on ${protocol} exceeded ${limit} bytes (got at least ${received}); ` +
        `send smaller messages or raise maxMessageBytes on both peers.`,
    );
    this.protocol = protocol;
    this.limit = limit;
    this.received = received;
  }
}

export class RequestFailedError extends Error {
  override name = "RequestFailedError";
  readonly peer: string;
  readonly protocol: string;
  constructor(peer: string, protocol: string, cause: unknown) {
    super(
      `The request to ${peer} on ${protocol} failed: ${(cause as Error)?.message ?? String(cause)}. ` +
        `Check that the peer is connected and handles that protocol.`,
      { cause },
    );
    this.peer = peer;
    this.protocol = protocol;
  }
}

export class PeerBannedError extends Error {
  override name = "PeerBannedError";
  readonly peer: string;
  constructor(peer: string) {
    super(`Peer ${peer} is banned for misbehaviour; it is not dialled and its connections are refused.`);
    this.peer = peer;
  }
}

export class SubscriptionTimeoutError extends Error {
  override name = "SubscriptionTimeoutError";
  readonly topic: string;
  readonly wanted: number;
  readonly got: number;
  constructor(topic: string, wanted: number, got: number, timeoutMs: number) {
    super(
      `Only ${got} of ${wanted} peers subscribed to ${topic} within ${timeoutMs} ms; ` +
        `check that the peers are connected and subscribed.`,
    );
    this.topic = topic;
    this.wanted = wanted;
    this.got = got;
  }
}
