// Port evaluates each mapping expression alone, so shared jq functions (mappings/functions.yaml)
// are inlined: an expression that calls `gitlab_date` gets `def gitlab_date: …;` in front of it,
// plus the defs those functions call in turn, callees first.

function calls(text: string, name: string): boolean {
  // A call is the bare name: not a field (`.name`), a variable (`$name`) or part of a longer word.
  return new RegExp(`(^|[^.$A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).test(text);
}

export function inlineFunctions(expression: string, functions: Readonly<Record<string, string>>): string {
  const needed: string[] = [];
  const visit = (text: string, seen: Set<string>) => {
    for (const [name, def] of Object.entries(functions)) {
      if (seen.has(name) || !calls(text, name)) continue;
      seen.add(name);
      // Strip the function's own `def name` head so it does not count as calling itself.
      visit(def.replace(new RegExp(`^def ${name}`), ''), seen);
      if (!needed.includes(name)) needed.push(name);
    }
  };
  visit(expression, new Set());
  if (!needed.length) return expression;
  const defs = needed.map((n) => functions[n]!.trim().replace(/\s*\n\s*/g, ' ')).join(' ');
  return `${defs} ${expression}`;
}
