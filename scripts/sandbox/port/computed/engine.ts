// Calculation properties need jq on the read path, which is synchronous: the project's jq engine
// (the one the webhook mappings use) is loaded once, the first time a blueprint with a calculation
// is read, and then set as the context's `calculate`.
import { createMappingEngine, type MappingEngine } from '../../../mapping/engine.ts';
import type { PortContext } from '../context.ts';

export function calculationEngine(ctx: PortContext, shared?: () => Promise<MappingEngine>): { ready(): Promise<void> } {
  let loading: Promise<void> | undefined;
  const load = () => (loading ??= (shared ?? (() => createMappingEngine({ warn: () => {} })))().then((engine) => {
    ctx.calculate = (expression, input) => {
      const r = engine.evaluateExpression(expression, input);
      if (r.error) throw new Error(r.error);
      return r.value;
    };
  }));
  return {
    async ready() {
      if (ctx.calculate) return;
      if (Object.values(ctx.state.blueprints).some((b) => Object.keys(b.calculationProperties ?? {}).length)) await load();
    },
  };
}
