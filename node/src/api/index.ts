/**
 * api/: the node's HTTP API with server-sent events for task events and a Prometheus endpoint.
 */
import { ApiServer } from "./server.ts";
import type { ApiServerComponents, ApiServerInit } from "./server.ts";
import type { TaskEventBus } from "./task-events.ts";
import type { DagEvent } from "../execution/scheduler.ts";

export { ApiServer, HttpError } from "./server.ts";
export type { ApiServerComponents, ApiServerInit } from "./server.ts";
export { TaskEventBus, TASK_EVENT_TYPES, UnknownTaskEventTypeError } from "./task-events.ts";
export type { TaskEvent, TaskEventBusComponents, TaskEventBusInit, TaskEventType } from "./task-events.ts";
export { Counter, DEFAULT_BUCKETS, Gauge, Histogram, MetricsRegistry } from "./metrics.ts";

export type ApiInit = ApiServerInit;
export type ApiComponents = ApiServerComponents;

export function createApi(init: ApiInit, components: ApiComponents): ApiServer {
  return new ApiServer(components, init);
}

/**
 * Turns a durable runner's scheduler events into task events (`<workflow>/<task>` ids):
 * started → `task:executing`, completed → `task:completed`, a final failure → `task:failed`.
 * Pass the result as `DurableRunnerInit.onEvent`.
 */
export function workflowEventsToTaskEvents(bus: TaskEventBus): (workflowId: string, event: DagEvent) => void {
  return (workflowId, event) => {
    const taskId = `${workflowId}/${event.taskId}`;
    if (event.type === "task:started") bus.publish(taskId, "task:executing", { attempt: event.attempt });
    else if (event.type === "task:completed") bus.publish(taskId, "task:completed", { output: event.output });
    else if (event.type === "task:failed" && !event.willRetry)
      bus.publish(taskId, "task:failed", { error: event.error });
  };
}
