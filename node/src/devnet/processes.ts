/** Agent node processes: `node node/src/cli/main.ts node start --config <file>`, one per agent. */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

export interface ReadyInfo {
  name: string;
  role: string;
  peerId: string;
  addresses: string[];
  address: string;
  did: string | null;
}

export interface NodeProcess {
  name: string;
  child: ChildProcess;
  ready: ReadyInfo;
  stop(): Promise<void>;
}

export class NodeProcessError extends Error {
  override name = "NodeProcessError";
  readonly node: string;
  constructor(node: string, detail: string) {
    super(`The node process ${node} ${detail}; its output is above.`);
    this.node = node;
  }
}

/** Starts a node process and resolves once it prints its ready line. */
export function startNodeProcess(
  root: string,
  name: string,
  configFile: string,
  say: (line: string) => void,
  timeoutMs = 180_000,
): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    [path.join(root, "node/src/cli/main.ts"), "node", "start", "--config", configFile],
    {
      cwd: root,
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY: "true", AINUR_STOP_ON_STDIN_EOF: "1" },
      // stdin stays open while this process lives: the node stops when it closes (we were killed).
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(force);
  };
  createInterface({ input: child.stderr! }).on("line", (line) => say(`${name} ! ${line}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new NodeProcessError(name, `printed no ready line within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new NodeProcessError(name, `exited with code ${code}`));
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith('{"ready":')) {
        clearTimeout(timer);
        const ready = (JSON.parse(line) as { ready: ReadyInfo }).ready;
        resolve({ name, child, ready, stop });
      } else if (line.trim().length > 0) {
        say(line.startsWith(`${name} |`) ? line : `${name} | ${line}`);
      }
    });
  });
}
