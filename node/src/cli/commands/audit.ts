/**
 * The auditor's tools. `ainur lineage prove <record>` writes a proof file for a record of a
 * requester node's lineage store; `ainur audit verify <proof-file>` checks it locally (Groth16 in
 * JS) and on-chain (the root is anchored and the LineageRegistry's verifier accepts it) and prints
 * a verdict a person can read.
 */
import { readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "../command.ts";
import { connectChain, dataDir, devnetInfo } from "../context.ts";
import { EXIT, EnvironmentError, UsageError } from "../errors.ts";
import { LineageService } from "../../lineage/lineage.ts";
import { formatVerdict, verifyProofFile } from "../../lineage/proof-file.ts";
import type { Verdict } from "../../lineage/proof-file.ts";
import { onChainCheck } from "../../node/requester-node.ts";

export const auditCommands: Command[] = [
  {
    path: ["lineage", "prove"],
    summary: "prove a lineage record's inclusion in the anchored root; writes a proof file",
    args: "<record>",
    details:
      "<record> is a leaf index (e.g. 3) or a record commitment (0x… or decimal). The record must be anchored.\n" +
      "The lineage store is the requester node's (--lineage-dir, default the devnet requester's).",
    options: {
      out: {
        type: "string",
        placeholder: "file",
        description: "where to write the proof (default lineage-proof-<leaf>.json)",
      },
      "lineage-dir": {
        type: "string",
        placeholder: "dir",
        description: "the node data directory holding lineage.db",
      },
      "data-dir": {
        type: "string",
        placeholder: "dir",
        description: "devnet data directory (default .ainur/devnet)",
      },
    },
    async run({ flags, positionals, say }) {
      const ref = positionals[0];
      if (ref === undefined)
        throw new UsageError("lineage prove", "give the record: a leaf index or a commitment.");
      const dir =
        (flags["lineage-dir"] as string | undefined) ??
        devnetInfo(flags)?.requesterDataDir ??
        path.join(dataDir(flags), "requester");
      const database = path.join(dir, "lineage.db");
      if (!existsSync(database))
        throw new EnvironmentError(`No lineage store at ${database}: pass --lineage-dir <node data dir>.`);
      const lineage = new LineageService(
        { anchor: () => Promise.reject(new Error("`lineage prove` never anchors")) },
        { database, anchorEvery: Number.MAX_SAFE_INTEGER, anchorAfterMs: 2 ** 31 - 1 },
      );
      await lineage.start();
      try {
        const key = /^[0-9]{1,9}$/.test(ref) ? Number(ref) : ref;
        const stored = lineage.getRecord(key);
        say(`proving leaf ${stored.index} (task ${stored.context.taskId ?? "?"}) …`);
        const started = performance.now();
        const file = await lineage.prove(key);
        const ms = Math.round(performance.now() - started);
        const out = path.resolve((flags.out as string | undefined) ?? `lineage-proof-${stored.index}.json`);
        await writeFile(out, JSON.stringify(file, null, 2) + "\n");
        return {
          human: `wrote ${out}\n  record: leaf ${stored.index}, task ${stored.context.taskId ?? "?"}\n  agent:  ${stored.context.agentDid ?? "?"}\n  root:   ${file.root} (${file.leafCount} records)\n  proved in ${ms} ms; check it with: ainur audit verify ${path.relative(process.cwd(), out)}`,
          json: {
            file: out,
            leaf: stored.index,
            root: file.root,
            leafCount: file.leafCount,
            proveMs: ms,
            record: file.records[0],
          },
        };
      } finally {
        await lineage.stop();
      }
    },
  },
  {
    path: ["audit", "verify"],
    summary: "verify a lineage proof file locally and on-chain against the anchored root",
    args: "<proof-file>",
    chain: true,
    options: { local: { type: "boolean", description: "check in JS only, without the chain" } },
    async run({ flags, positionals }) {
      const file = positionals[0];
      if (file === undefined)
        throw new UsageError("audit verify", "give the proof file (from `ainur lineage prove`).");
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        if (e.code === "ENOENT") throw new EnvironmentError(`No proof file at ${file}.`);
        json = { unreadable: e.message };
      }
      let verdict: Verdict;
      if (flags.local === true) {
        verdict = await verifyProofFile(json);
      } else {
        const chain = await connectChain(flags, false);
        try {
          verdict = await verifyProofFile(json, { onChain: (f) => onChainCheck(chain, f, false) });
        } finally {
          chain.close();
        }
      }
      return {
        human: formatVerdict(verdict),
        json: { verdict },
        exitCode: verdict.valid ? EXIT.ok : EXIT.failed,
      };
    },
  },
];
