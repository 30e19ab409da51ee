import { expect } from "chai";
import fc from "fast-check";
import { clearVcg, clearVickrey, splitByShares, type BundleBid } from "../../../node/src/market/index.ts";

const SEED = 20261122;
const RUNS = 300;
const params = { seed: SEED, numRuns: RUNS };
const CFP = "0x" + "11".repeat(32);

describe("market clearing: properties (fast-check, fixed seed)", function () {
  describe("second price (Vickrey) with a reserve", function () {
    const others = fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 12 });
    const utility = (asks: number[], reserve: number, cost: number, report: number): number => {
      const r = clearVickrey(
        [...asks.map((price, i) => ({ bidder: `b${i}`, price })), { bidder: "me", price: report }],
        reserve,
        CFP,
      );
      return r.winner === "me" ? r.payment! - cost : 0;
    };

    it("is truthful: no misreport beats asking one's cost", function () {
      fc.assert(
        fc.property(
          others,
          fc.integer({ min: 0, max: 1200 }),
          fc.integer({ min: 0, max: 1000 }),
          fc.integer({ min: 0, max: 1200 }),
          (asks, reserve, cost, lie) => {
            expect(utility(asks, reserve, cost, cost)).to.be.at.least(utility(asks, reserve, cost, lie));
          },
        ),
        params,
      );
    });

    it("is individually rational: a truthful winner is paid at least its ask, never above the reserve", function () {
      fc.assert(
        fc.property(
          others,
          fc.integer({ min: 0, max: 1200 }),
          fc.integer({ min: 0, max: 1000 }),
          (asks, reserve, cost) => {
            expect(utility(asks, reserve, cost, cost)).to.be.at.least(0);
            const r = clearVickrey(
              [...asks.map((price, i) => ({ bidder: `b${i}`, price })), { bidder: "me", price: cost }],
              reserve,
              CFP,
            );
            if (r.winner !== undefined) {
              expect(r.payment!).to.be.at.least(r.ask!).and.at.most(reserve);
            } else {
              expect(Math.min(cost, ...asks)).to.be.greaterThan(reserve);
            }
          },
        ),
        params,
      );
    });

    it("breaks ties the same way whatever the arrival order", function () {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 10 }),
          fc.integer({ min: 0, max: 1000 }),
          (prices, salt) => {
            const asks = prices.map((price, i) => ({ bidder: `b${i}`, price }));
            const shuffled = [...asks].sort(
              (a, b) => ((a.bidder.charCodeAt(1) * salt) % 7) - ((b.bidder.charCodeAt(1) * salt) % 7),
            );
            expect(clearVickrey(shuffled, 10, CFP)).to.deep.equal(clearVickrey(asks, 10, CFP));
          },
        ),
        params,
      );
    });
  });

  describe("VCG over bundles", function () {
    const M = 4;
    const FULL = (1 << M) - 1;
    const bundleAsk = fc.record({
      mask: fc.integer({ min: 1, max: FULL }),
      price: fc.integer({ min: 0, max: 100 }),
    });
    const market = fc.record({
      others: fc.array(
        fc.record({
          bidder: fc.integer({ min: 0, max: 5 }).map((i) => `b${i}`),
          mask: fc.integer({ min: 1, max: FULL }),
          price: fc.integer({ min: 0, max: 100 }),
        }),
        { maxLength: 14 },
      ),
      mine: fc.array(bundleAsk, { minLength: 1, maxLength: 4 }),
      reserve: fc.integer({ min: 0, max: 400 }),
    });
    const trueCost = (mine: Array<{ mask: number; price: number }>, mask: number): number =>
      Math.min(...mine.filter((b) => b.mask === mask).map((b) => b.price));
    const utility = (
      others: BundleBid[],
      mine: Array<{ mask: number; price: number }>,
      report: Array<{ mask: number; price: number }>,
      reserve: number,
    ): number => {
      const r = clearVcg([...others, ...report.map((b) => ({ bidder: "me", ...b }))], M, reserve, CFP);
      const w = r.winners.find((x) => x.bidder === "me");
      if (w === undefined) return 0;
      const cost = mine.some((b) => b.mask === w.mask) ? trueCost(mine, w.mask) : Infinity; // winning a bundle one cannot do is a disaster
      return w.payment - cost;
    };

    it("finds the cheapest exact cover (checked by brute force)", function () {
      fc.assert(
        fc.property(market, ({ others, mine, reserve }) => {
          const asks = [...others, ...mine.map((b) => ({ bidder: "me", ...b }))];
          const r = clearVcg(asks, M, reserve, CFP);
          // brute force over one-ask-per-bidder selections
          const bidders = [...new Set(asks.map((a) => a.bidder))];
          let best = Infinity;
          const go = (i: number, covered: number, cost: number): void => {
            if (i === bidders.length) {
              if (covered === FULL) best = Math.min(best, cost);
              return;
            }
            go(i + 1, covered, cost);
            for (const a of asks.filter((x) => x.bidder === bidders[i] && x.price <= reserve))
              if ((a.mask & covered) === 0) go(i + 1, covered | a.mask, cost + a.price);
          };
          go(0, 0, 0);
          if (best <= reserve) {
            expect(r.cost).to.equal(best);
            expect(r.winners.reduce((m, w) => m | w.mask, 0)).to.equal(FULL);
            expect(r.winners.reduce((s, w) => s + w.ask, 0)).to.equal(best);
            expect(new Set(r.winners.map((w) => w.bidder)).size).to.equal(r.winners.length);
          } else {
            expect(r.winners).to.deep.equal([]);
          }
        }),
        params,
      );
    });

    it("is truthful: no misreport of bundle costs beats the truth", function () {
      fc.assert(
        fc.property(
          market,
          fc.array(bundleAsk, { minLength: 1, maxLength: 4 }),
          ({ others, mine, reserve }, lie) => {
            expect(utility(others, mine, mine, reserve)).to.be.at.least(utility(others, mine, lie, reserve));
          },
        ),
        params,
      );
    });

    it("is individually rational: every winner is paid at least its ask", function () {
      fc.assert(
        fc.property(market, ({ others, mine, reserve }) => {
          const r = clearVcg([...others, ...mine.map((b) => ({ bidder: "me", ...b }))], M, reserve, CFP);
          for (const w of r.winners) expect(w.payment).to.be.at.least(w.ask).and.at.most(reserve);
          expect(utility(others, mine, mine, reserve)).to.be.at.least(0);
        }),
        params,
      );
    });

    it("refuses more subtasks than it can clear exactly", function () {
      expect(() => clearVcg([], 17, 10, CFP)).to.throw(/1\.\.16 subtasks/);
    });
  });

  it("splits a coalition's payment by shares, exactly", function () {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 8 }),
        (amount, weights) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const shares = weights.map((w) => Math.floor((w * 10_000) / total));
          shares[0]! += 10_000 - shares.reduce((a, b) => a + b, 0);
          fc.pre(shares.every((s) => s >= 1));
          const parts = splitByShares(
            amount,
            shares.map((shareBps) => ({ shareBps })),
          );
          expect(parts.reduce((s, p) => s + p.amount, 0n)).to.equal(amount);
          parts.forEach((p, i) => expect(p.amount >= (amount * BigInt(shares[i]!)) / 10_000n).to.equal(true));
        },
      ),
      params,
    );
  });
});
