/* global document, fetch, setTimeout, clearTimeout, setInterval, EventSource */
// The explorer page: reads /explorer/state, follows task events over server-sent events
// (/v1/events), and asks the node to verify a lineage proof on-chain.
const $ = (sel) => document.querySelector(sel);
const short = (s, n = 10) => (s && s.length > 2 * n ? `${s.slice(0, n)}…${s.slice(-6)}` : (s ?? ""));

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

async function verify(taskId) {
  const out = $("#verdict");
  out.className = "";
  out.textContent = `verifying ${taskId} on-chain…`;
  const res = await fetch(`/explorer/verify/${encodeURIComponent(taskId)}`, { method: "POST" });
  const v = await res.json();
  if (!res.ok) {
    out.className = "invalid";
    out.textContent = `INVALID: ${v.error?.message ?? res.status}`;
    return;
  }
  const r = v.records?.[0] ?? {};
  out.className = v.valid ? "valid" : "invalid";
  out.textContent = [
    `verdict: ${v.valid ? (v.checks.onChain === true ? "VALID (on-chain)" : "VALID (locally)") : "INVALID"}`,
    `task:    ${r.taskId ?? "(not disclosed)"}`,
    `agent:   ${r.agentDid ?? r.agentDidHash}`,
    `output:  ${r.output ?? r.outputHash}`,
    `root:    ${v.root}`,
    `anchored in block ${v.anchor?.blockNumber ?? "never"}${v.anchor ? ` by ${v.anchor.anchorer}` : ""}`,
    ...(v.reasons ?? []).map((x) => `reason:  ${x}`),
  ].join("\n");
}

async function refresh() {
  const res = await fetch("/explorer/state");
  if (!res.ok) return;
  const s = await res.json();
  $("#chain").textContent =
    `chain ${s.chainId} · block ${s.block} · ${s.agents.length} agents · ${s.tasks.length} tasks`;
  fill(
    $("#tasks tbody"),
    s.tasks.map((t) => {
      const tr = document.createElement("tr");
      tr.append(
        cell(t.taskId, "mono"),
        cell(t.capability),
        cell(t.status, t.status),
        cell(t.bids.map((b) => `${b.price} · ${b.strategy}`).join(", ")),
        cell(short(t.winner ?? "", 14), "mono"),
        cell(t.price ?? (t.error ? t.error.slice(0, 60) : "")),
      );
      return tr;
    }),
  );
  fill(
    $("#agents tbody"),
    s.agents.map((a) => {
      const tr = document.createElement("tr");
      tr.append(
        cell(a.did, "mono"),
        cell(short(a.operator), "mono"),
        cell(Number(a.stake).toFixed(2)),
        cell(a.score),
        cell(String(a.completed)),
        cell(String(a.failed)),
      );
      return tr;
    }),
  );
  $("#lineage-root").textContent = `${s.lineage.records} records · current root ${s.lineage.root}`;
  fill(
    $("#lineage tbody"),
    s.tasks
      .filter((t) => t.commitment)
      .map((t) => {
        const tr = document.createElement("tr");
        const td = document.createElement("td");
        if (t.hasProof) {
          const b = document.createElement("button");
          b.textContent = "verify on-chain";
          b.dataset.task = t.taskId;
          b.className = "verify";
          b.addEventListener("click", () => void verify(t.taskId));
          td.append(b);
        }
        tr.append(
          cell(t.taskId, "mono"),
          cell(short(t.winner ?? "", 14), "mono"),
          cell(short("0x" + BigInt(t.commitment).toString(16)), "mono"),
          cell(short(t.root ?? ""), "mono"),
          cell(String(t.anchorBlock ?? "")),
          td,
        );
        return tr;
      }),
  );
  const dl = $("#parameters");
  dl.replaceChildren(
    ...Object.entries(s.governance.parameters).flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      return [dt, dd];
    }),
  );
  fill(
    $("#proposals tbody"),
    s.governance.proposals.map((p) => {
      const tr = document.createElement("tr");
      tr.append(cell(short(p.id, 8), "mono"), cell(p.description), cell(p.state));
      return tr;
    }),
  );
}

let timer;
const schedule = () => {
  clearTimeout(timer);
  timer = setTimeout(() => void refresh().catch(() => {}), 250);
};

const events = new EventSource("/v1/events");
events.onmessage = schedule;
for (const type of [
  "task:routed",
  "task:bidding",
  "task:awarded",
  "task:executing",
  "task:completed",
  "task:failed",
  "task:anchored",
]) {
  events.addEventListener(type, (e) => {
    const li = document.createElement("li");
    const data = JSON.parse(e.data);
    li.textContent = `${type} ${data.taskId ?? ""}`;
    $("#events").prepend(li);
    schedule();
  });
}
events.onerror = () => ($("#live").textContent = "(reconnecting)");
events.onopen = () => ($("#live").textContent = "(live)");
void refresh();
setInterval(() => void refresh().catch(() => {}), 5000);
