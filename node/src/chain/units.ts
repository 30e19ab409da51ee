/**
 * Token amounts as decimal strings and back, without a chain library: bigints in the smallest unit
 * (18 decimals by default, as the Ainur token and credits use). `formatUnits` writes what ethers'
 * `formatEther` writes ("1.0", "0.5", "-2.25"); `parseUnits` reads "1", "1.5", "-0.25".
 */

export const DEFAULT_DECIMALS = 18;

/** The largest uint256 (an unlimited ERC-20 allowance). */
export const MAX_UINT256 = (1n << 256n) - 1n;

/** A decimal amount that does not parse, or has more fraction digits than the unit allows. */
export class InvalidAmountError extends Error {
  override name = "InvalidAmountError";
  readonly value: string;
  readonly decimals: number;
  constructor(value: string, decimals: number, why: string) {
    super(
      `"${value}" is not an amount with at most ${decimals} decimals (${why}): write e.g. 1, 1.5 or 0.25.`,
    );
    this.value = value;
    this.decimals = decimals;
  }
}

/** `value` (smallest units) as a decimal string with at least one fraction digit. */
export function formatUnits(value: bigint, decimals = DEFAULT_DECIMALS): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  let fraction = (abs % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  if (fraction === "") fraction = "0";
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** A decimal string as smallest units; throws InvalidAmountError on anything else. */
export function parseUnits(value: string, decimals = DEFAULT_DECIMALS): bigint {
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (m === null || ((m[2] ?? "") === "" && (m[3] ?? "") === ""))
    throw new InvalidAmountError(value, decimals, "not a decimal number");
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  if (fraction.length > decimals) throw new InvalidAmountError(value, decimals, "too many decimals");
  const units = BigInt(m[2] || "0") * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  return m[1] === "-" ? -units : units;
}

/** `formatUnits` with 18 decimals. */
export const formatAmount = (value: bigint): string => formatUnits(value, DEFAULT_DECIMALS);
/** `parseUnits` with 18 decimals. */
export const parseAmount = (value: string): bigint => parseUnits(value, DEFAULT_DECIMALS);
