/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4. Hand-rolled: prom-client is not installed and this is all we need.
 */

type Labels = Record<string, string>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function key(labelNames: readonly string[], labels: Labels): string {
  return labelNames.map((n) => labels[n] ?? "").join("\u0000");
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function renderLabels(labelNames: readonly string[], values: string[], extra = ""): string {
  const parts = labelNames.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`);
  if (extra) parts.push(extra);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function num(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return Number.isNaN(v) ? "NaN" : String(v);
}

abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!NAME.test(name)) throw new Error(`"${name}" is not a valid Prometheus metric name.`);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }
  abstract render(): string;
}

export class Counter extends Metric {
  private readonly values = new Map<string, number>();
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new RangeError(`Counter ${this.name} can only go up; got ${by}.`);
    const k = key(this.labelNames, labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(this.labelNames, labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values)
      lines.push(`${this.name}${renderLabels(this.labelNames, k.split("\u0000"))} ${num(v)}`);
    return lines.join("\n");
  }
}

export class Gauge extends Metric {
  private readonly values = new Map<string, number>();
  set(value: number, labels: Labels = {}): void {
    this.values.set(key(this.labelNames, labels), value);
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = key(this.labelNames, labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  dec(labels: Labels = {}, by = 1): void {
    this.inc(labels, -by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [k, v] of this.values)
      lines.push(`${this.name}${renderLabels(this.labelNames, k.split("\u0000"))} ${num(v)}`);
    return lines.join("\n");
  }
}

export class Histogram extends Metric {
  readonly buckets: readonly number[];
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  observe(value: number, labels: Labels = {}): void {
    const k = key(this.labelNames, labels);
    let s = this.series.get(k);
    if (s === undefined) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const values = k.split("\u0000");
      this.buckets.forEach((b, i) =>
        lines.push(
          `${this.name}_bucket${renderLabels(this.labelNames, values, `le="${num(b)}"`)} ${s.counts[i]}`,
        ),
      );
      lines.push(`${this.name}_bucket${renderLabels(this.labelNames, values, 'le="+Inf"')} ${s.count}`);
      lines.push(`${this.name}_sum${renderLabels(this.labelNames, values)} ${num(s.sum)}`);
      lines.push(`${this.name}_count${renderLabels(this.labelNames, values)} ${s.count}`);
    }
    return lines.join("\n");
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: readonly number[] = DEFAULT_BUCKETS,
  ): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** The text exposition format (Content-Type `text/plain; version=0.0.4`). */
  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join("\n") + "\n";
  }

  private add<T extends Metric>(metric: T): T {
    const existing = this.metrics.get(metric.name);
    if (existing !== undefined) {
      if (existing.constructor !== metric.constructor) {
        throw new Error(`Metric ${metric.name} is already registered as another type.`);
      }
      return existing as T;
    }
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

export const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
