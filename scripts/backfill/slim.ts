// Cuts a GitLab REST object down to the keys its mappings read (`fields` in the backfill file)
// before it goes to jq: jq's JSON parser is most of a REST object's mapping cost, and a merge
// request carries ~2.5 KB of which the mappings read ~1 KB. A key absent from the object stays
// absent, so `has("x")` gives the same answer on the slim copy.
type Obj = Record<string, unknown>;

export type Slimmer = (o: Obj) => Obj;

const whole: Slimmer = (o) => o;

export function slimmer(keys: readonly string[] | undefined): Slimmer {
  if (!keys) return whole;
  return (o) => {
    const out: Obj = {};
    for (const k of keys) if (Object.hasOwn(o, k)) out[k] = o[k];
    return out;
  };
}
