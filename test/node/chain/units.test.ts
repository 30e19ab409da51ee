import { expect } from "chai";
import {
  formatAmount,
  formatUnits,
  InvalidAmountError,
  MAX_UINT256,
  parseAmount,
  parseUnits,
} from "../../../node/src/chain/units.ts";

describe("chain/units: amounts without a chain library", function () {
  it("formats as ethers' formatEther does: at least one fraction digit, trailing zeros trimmed", function () {
    expect(formatAmount(0n)).to.equal("0.0");
    expect(formatAmount(10n ** 18n)).to.equal("1.0");
    expect(formatAmount(935n * 10n ** 15n)).to.equal("0.935");
    expect(formatAmount(1n)).to.equal("0.000000000000000001");
    expect(formatAmount(-25n * 10n ** 16n)).to.equal("-0.25");
    expect(formatUnits(1234n, 3)).to.equal("1.234");
  });

  it("parses decimals exactly and round-trips", function () {
    expect(parseAmount("1")).to.equal(10n ** 18n);
    expect(parseAmount("1.5")).to.equal(15n * 10n ** 17n);
    expect(parseAmount(".5")).to.equal(5n * 10n ** 17n);
    expect(parseAmount("-0.25")).to.equal(-25n * 10n ** 16n);
    expect(parseAmount("1.000000000000000001")).to.equal(10n ** 18n + 1n);
    expect(parseUnits("2.50", 2)).to.equal(250n);
    for (const v of [0n, 1n, 10n ** 18n, 123456789012345678901234n, -7n])
      expect(parseAmount(formatAmount(v))).to.equal(v);
    expect(MAX_UINT256).to.equal(2n ** 256n - 1n);
  });

  it("refuses non-numbers and more decimals than the unit has, naming the value", function () {
    for (const bad of ["", ".", "abc", "1e3", "1,5", "0x10", "1.2.3"])
      expect(() => parseAmount(bad))
        .to.throw(InvalidAmountError)
        .with.property("value", bad);
    expect(() => parseAmount("1.0000000000000000001")).to.throw(InvalidAmountError, /too many decimals/);
    expect(() => parseUnits("0.001", 2))
      .to.throw(InvalidAmountError)
      .with.property("decimals", 2);
  });
});
