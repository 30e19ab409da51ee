import { expect } from "chai";
import hre, { network } from "hardhat";
import { measureGas } from "../../scripts/gas/measure.ts";
import { diffGas, overTargets, readSnapshot } from "../../scripts/gas/check.ts";

const connection = await network.create();

describe("Gas snapshot", function () {
  it("matches gas-snapshot.json for every user-facing function, within the gas targets", async function () {
    // Coverage instruments the bytecode, which changes every figure: the snapshot is checked without it.
    if (hre.globalOptions.coverage === true) this.skip();
    const measured = await measureGas(connection);
    const diff = diffGas(await readSnapshot(), measured);
    expect(
      diff,
      `gas changed without an update of gas-snapshot.json:\n${diff.join("\n")}\n` +
        "If intended, run `node scripts/gas/check.ts --update` and explain the change in the commit.",
    ).to.deep.equal([]);
    expect(overTargets(measured)).to.deep.equal([]);
  });
});
