/**
 * A TCP relay on 127.0.0.1 in front of a node, for fault injection: `drop()` cuts every open
 * connection at once, as a network failure would, while the node keeps running.
 */
import net from "node:net";

export interface TcpRelay {
  readonly port: number;
  /** `ws://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Destroy every open connection (new ones are still accepted). */
  drop(): void;
  close(): Promise<void>;
}

export async function startTcpRelay(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: targetHost, port: targetPort });
    sockets.add(client).add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    endpoint: `ws://127.0.0.1:${port}`,
    drop: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
