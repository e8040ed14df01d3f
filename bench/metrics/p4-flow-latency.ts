/**
 * P4 flow latency against the local emulators: request → plan card (the requester's wait)
 * and approve click → outcome card (the wait after approval), with the real SDK clients over
 * HTTPS to the in-process ARM/Graph emulators. acrbot, client and connector share one
 * process, as in the integration tests; the emulators answer in microseconds, so the figure
 * is acrbot's own overhead plus local HTTPS round trips.
 *
 * Every flow is a real first grant: the role assignment is removed before the next request.
 */
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { AcrbotDriver } from '../lib/acrbot-driver';
import { fmt, type Metric } from '../lib/report-types';
import { repeated, round, summarize } from '../lib/stats';

const ARGS = 'rg-aks/aks-prod contosoacr deploy payments-api benchmark';

export const p4FlowLatency: Metric = async (ctx) => {
  const runs = ctx.quick ? 2 : 5;
  const flows = ctx.quick ? 20 : 60;
  const warmup = ctx.quick ? 10 : 30;
  const d = await AcrbotDriver.start({ env: { ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform } });
  const plan = { p50: [] as number[], p99: [] as number[] };
  const outcome = { p50: [] as number[], p99: [] as number[] };
  const invoke: number[] = [];
  const flow = async () => {
    d.sandbox.arm.state.roleAssignments.clear();
    const f = await d.grantFlow(ARGS);
    await d.drain();
    return f;
  };
  try {
    for (let i = 0; i < warmup; i++) await flow();
    for (let r = 0; r < runs; r++) {
      const planMs: number[] = [];
      const outcomeMs: number[] = [];
      const invokeMs: number[] = [];
      for (let i = 0; i < flows; i++) {
        const f = await flow();
        planMs.push(f.request.planMs);
        outcomeMs.push(f.approve.outcomeMs);
        invokeMs.push(f.approve.invokeMs);
      }
      const p = summarize(planMs);
      const o = summarize(outcomeMs);
      plan.p50.push(p.p50);
      plan.p99.push(p.p99);
      outcome.p50.push(o.p50);
      outcome.p99.push(o.p99);
      invoke.push(summarize(invokeMs).p50);
      ctx.progress(`P4 run ${r + 1}/${runs}: plan p50 ${fmt.ms(p.p50)}, outcome p50 ${fmt.ms(o.p50)}`);
    }
  } finally {
    await d.stop();
  }
  const pl = { p50: repeated(plan.p50), p99: repeated(plan.p99) };
  const oc = { p50: repeated(outcome.p50), p99: repeated(outcome.p99) };
  const inv = repeated(invoke);
  return {
    keys: {
      p4_plan_p50_ms: round(pl.p50.median),
      p4_plan_p99_ms: round(pl.p99.median),
      p4_outcome_p50_ms: round(oc.p50.median),
      p4_outcome_p99_ms: round(oc.p99.median),
      p4_approve_invoke_p50_ms: round(inv.median),
    },
    rows: [
      {
        id: 'P4',
        what: 'request → plan card p50',
        value: fmt.ms(pl.p50.median),
        target: '≤ 30 ms',
        met: pl.p50.median <= 30,
        detail: `p99 ${fmt.ms(pl.p99.median)}; p50 over ${runs} runs ${fmt.range(pl.p50.min, pl.p50.max, ' ms')}`,
      },
      {
        id: 'P4',
        what: 'approve → outcome card p50',
        value: fmt.ms(oc.p50.median),
        target: '≤ 50 ms',
        met: oc.p50.median <= 50,
        detail: `p99 ${fmt.ms(oc.p99.median)}; p50 over ${runs} runs ${fmt.range(oc.p50.min, oc.p50.max, ' ms')}; the click itself is answered ("Executing…") in ${fmt.ms(inv.median)} p50`,
      },
    ],
    notes: [
      `P4: ${runs} runs × ${flows} sequential grant flows (after ${warmup} warm-up flows), aks-prod (MSI) → contosoacr, one subscription; acrbot, client, connector and emulators in one process; latencies from POST start to the card's arrival at the connector.`,
    ],
  };
};

/** The entry point bench/run.ts discovers. */
export const metric = p4FlowLatency;
