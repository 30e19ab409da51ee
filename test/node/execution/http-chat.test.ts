import { expect } from "chai";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpAgentError, HttpChatAdapter } from "../../../node/src/execution/adapters/http-chat.ts";
import { AgentInputError } from "../../../node/src/execution/adapters/types.ts";
import type { Json } from "../../../node/src/storage/event-log.ts";

describe("execution: OpenAI-compatible HTTP chat adapter", () => {
  let server: Server;
  let base: string;
  const seen: Array<{ url: string; headers: IncomingHttpHeaders; body: Json }> = [];
  let mode: "ok" | "error" | "garbage" | "hang" = "ok";

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ url: req.url!, headers: req.headers, body: JSON.parse(body) as Json });
        if (mode === "hang") return;
        if (mode === "error")
          return void res
            .writeHead(429, { "content-type": "application/json" })
            .end('{"error":"rate limited"}');
        if (mode === "garbage") return void res.writeHead(200).end("<html>");
        const { messages, model } = JSON.parse(body) as {
          messages: Array<{ content: string }>;
          model: string;
        };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id: "chatcmpl-1",
            object: "chat.completion",
            model,
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: `echo: ${messages.at(-1)!.content}` },
                finish_reason: "stop",
              },
            ],
            usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const adapter = (): HttpChatAdapter =>
    new HttpChatAdapter({ baseUrl: base, model: "local-7b", apiKey: "sk-test" });
  const req = (input: Json, signal = new AbortController().signal) => ({
    taskId: "t",
    input,
    idempotencyKey: "wf/t",
    attempt: 0,
    signal,
  });

  it("posts a chat completion with the model, key and idempotency key, and returns the reply", async () => {
    mode = "ok";
    const out = await adapter().invoke(
      req({ messages: [{ role: "user", content: "hello" }], temperature: 0 }),
    );
    expect(out).to.deep.equal({
      content: "echo: hello",
      model: "local-7b",
      finish_reason: "stop",
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
    const last = seen.at(-1)!;
    expect(last.url).to.equal("/v1/chat/completions");
    expect(last.headers.authorization).to.equal("Bearer sk-test");
    expect(last.headers["idempotency-key"]).to.equal("wf/t");
    expect(last.body).to.deep.equal({
      model: "local-7b",
      messages: [{ role: "user", content: "hello" }],
      temperature: 0,
    });
    expect(await adapter().invoke(req({ prompt: "short form" }))).to.include({ content: "echo: short form" });
  });

  it("reports HTTP errors, non-JSON bodies and bad inputs with the values involved", async () => {
    mode = "error";
    const e1 = await adapter()
      .invoke(req({ prompt: "x" }))
      .catch((e: Error) => e);
    expect(e1).to.be.instanceOf(HttpAgentError);
    expect((e1 as HttpAgentError).status).to.equal(429);
    expect((e1 as Error).message).to.match(/HTTP 429: \{"error":"rate limited"\}/);
    mode = "garbage";
    expect(
      (
        (await adapter()
          .invoke(req({ prompt: "x" }))
          .catch((e: Error) => e)) as Error
      ).message,
    ).to.match(/not JSON/);
    await adapter()
      .invoke(req({ nope: 1 }))
      .then(
        () => expect.fail("should refuse"),
        (e: Error) => expect(e).to.be.instanceOf(AgentInputError),
      );
    const closed = new HttpChatAdapter({ baseUrl: "http://127.0.0.1:1/v1", model: "m" });
    expect(((await closed.invoke(req({ prompt: "x" })).catch((e: Error) => e)) as Error).message).to.match(
      /could not be reached/,
    );
  });

  it("aborts an in-flight request when the task is cancelled", async () => {
    mode = "hang";
    const controller = new AbortController();
    const count = seen.length;
    const pending = adapter()
      .invoke(req({ prompt: "x" }, controller.signal))
      .catch((e: Error) => e);
    while (seen.length === count) await new Promise((r) => setImmediate(r)); // the server holds the request
    controller.abort(new Error("cancelled"));
    expect(((await pending) as Error).message).to.equal("cancelled");
  });
});
