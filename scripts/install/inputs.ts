// The installer's inputs: environment variables declared in template.json, each also a flag
// (`PORT_CLIENT_ID` ↔ `--port-client-id`), plus `--port-region eu|us`. Every problem is collected
// and reported at once, before any request, with what to set and where to get it.
import type { TemplateInput, TemplateManifest } from '../../schemas/template.schema.ts';
import { PORT_REGIONS, resolvePortBaseUrl } from '../clients/port/region.ts';
import { resolveGitLabHost } from '../clients/gitlab/host.ts';
import { headerUnsafeChar, headerUnsafeMessage } from '../clients/shared/header-value.ts';

export type InputName =
  | 'PORT_CLIENT_ID' | 'PORT_CLIENT_SECRET' | 'PORT_API_URL'
  | 'GITLAB_URL' | 'GITLAB_TOKEN' | 'GITLAB_GROUPS' | 'INGEST_CONFIDENTIAL_ISSUES' | 'INSTALL_DASHBOARDS';

/** A group as the user named it: a numeric id or the full path of a top-level group. */
export type GroupRef = { kind: 'id'; id: number; raw: string } | { kind: 'path'; path: string; raw: string };

/** What GitLab's group routes take for this reference: the numeric id or the full path. */
export function groupKey(ref: GroupRef): number | string {
  return ref.kind === 'id' ? ref.id : ref.path;
}

export interface InstallInputs {
  portClientId: string;
  portClientSecret: string;
  /** Resolved base URL (region shortcut applied). */
  portApiUrl: string;
  gitlabUrl: string;
  gitlabToken: string;
  gitlabGroups: GroupRef[];
  confidentialIssues: boolean;
  /** Scorecards and dashboard pages (INSTALL_DASHBOARDS; absent: the template's default, on). */
  installDashboards?: boolean;
}

export interface InputProblem {
  input: InputName | 'PORT_REGION';
  flag: string;
  message: string;
  /** What the input is and where to get it (template.json's description). */
  help?: string;
  /** What the command needs it for. */
  why?: string;
}

/** The flag of each input. INGEST_CONFIDENTIAL_ISSUES keeps the shorter name the issue uses. */
export const INPUT_FLAGS: Record<InputName, string> = {
  PORT_CLIENT_ID: 'port-client-id',
  PORT_CLIENT_SECRET: 'port-client-secret',
  PORT_API_URL: 'port-api-url',
  GITLAB_URL: 'gitlab-url',
  GITLAB_TOKEN: 'gitlab-token',
  GITLAB_GROUPS: 'gitlab-groups',
  INGEST_CONFIDENTIAL_ISSUES: 'confidential-issues',
  // The flag turns it off: on is the default, so the flag that matters is the opt-out.
  INSTALL_DASHBOARDS: 'no-dashboards',
};

/** The flags that carry a secret: their values are redacted from every output. */
export const SECRET_INPUT_FLAGS: readonly string[] = [INPUT_FLAGS.PORT_CLIENT_SECRET, INPUT_FLAGS.GITLAB_TOKEN];

/** node:util parseArgs options for every input flag. */
export const INPUT_PARSE_OPTIONS = {
  'port-client-id': { type: 'string' },
  'port-client-secret': { type: 'string' },
  'port-api-url': { type: 'string' },
  'port-region': { type: 'string' },
  'gitlab-url': { type: 'string' },
  'gitlab-token': { type: 'string' },
  'gitlab-groups': { type: 'string' },
  'confidential-issues': { type: 'boolean' },
  'no-dashboards': { type: 'boolean' },
} as const;

export type InputFlagValues = Partial<Record<string, string | boolean | undefined>>;

/**
 * The inputs a command reads, each with what it needs it for (said when a required one is
 * missing). Inputs a command does not read are neither required, nor checked, nor accepted as flags.
 */
export type InputNeeds = Partial<Record<InputName, string>>;

/** Every input, for no stated reason: what a command reads unless it says otherwise. */
export const ALL_INPUTS: InputNeeds = Object.fromEntries(Object.keys(INPUT_FLAGS).map((n) => [n, ''])) as InputNeeds;

/** The Port inputs (credentials, API URL) and the GitLab inputs (URL, token, groups), with why the command needs each side. */
export function inputNeeds(port: string, gitlab: string, extra: InputNeeds = {}): InputNeeds {
  return { PORT_CLIENT_ID: port, PORT_CLIENT_SECRET: port, PORT_API_URL: port, GITLAB_URL: gitlab, GITLAB_TOKEN: gitlab, GITLAB_GROUPS: gitlab, ...extra };
}

/** parseArgs options for the flags of the inputs a command reads (`--port-region` goes with PORT_API_URL). */
export function inputParseOptions(need: InputNeeds): Partial<typeof INPUT_PARSE_OPTIONS> {
  const flags = new Set((Object.keys(need) as InputName[]).map((n) => INPUT_FLAGS[n]));
  if ('PORT_API_URL' in need) flags.add('port-region');
  return Object.fromEntries(Object.entries(INPUT_PARSE_OPTIONS).filter(([f]) => flags.has(f)));
}

const TOP_LEVEL_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function declared(template: TemplateManifest, name: InputName): TemplateInput | undefined {
  return template.inputs.find((i) => i.name === name);
}

function parseBoolean(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return undefined;
}

/** GITLAB_GROUPS → group references; problems for entries that cannot be top-level groups. */
export function parseGroups(raw: string): { groups: GroupRef[]; problems: string[] } {
  const groups: GroupRef[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (/^https?:\/\//i.test(part)) {
      let path = part;
      try { path = new URL(part).pathname.replace(/^\/+|\/+$/g, ''); } catch { /* keep as is */ }
      problems.push(`"${part}" is a URL; give the group's full path (e.g. "${path.split('/')[0] || 'my-group'}") or its numeric id`);
      continue;
    }
    if (seen.has(part.toLowerCase())) continue;
    seen.add(part.toLowerCase());
    if (/^\d+$/.test(part)) {
      const id = Number(part);
      if (!Number.isSafeInteger(id) || id <= 0) problems.push(`"${part}" is not a valid group id`);
      else groups.push({ kind: 'id', id, raw: part });
    } else if (part.includes('/')) {
      // A hook on a subgroup would duplicate deliveries of its top-level group's hook; subgroups are included anyway.
      problems.push(`"${part}" is a subgroup; list its top-level group "${part.split('/')[0]}" instead (subgroups and their projects are included automatically)`);
    } else if (!TOP_LEVEL_PATH.test(part)) {
      problems.push(`"${part}" is not a GitLab group path (letters, digits, _ . - only)`);
    } else {
      groups.push({ kind: 'path', path: part, raw: part });
    }
  }
  if (groups.length === 0 && problems.length === 0) problems.push('no group given');
  return { groups, problems };
}

/**
 * Reads the inputs the command needs from flags (first) and the environment; those without a
 * default must be set. The others are ignored: their fields keep their defaults (or stay empty).
 */
export function readInputs(
  template: TemplateManifest,
  flags: InputFlagValues,
  env: Record<string, string | undefined>,
  need: InputNeeds = ALL_INPUTS,
): { inputs?: InstallInputs; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const value = (name: InputName): string | undefined => {
    if (!(name in need)) return undefined;
    const f = flags[INPUT_FLAGS[name]];
    if (name === 'INSTALL_DASHBOARDS' && f === true) return 'false'; // --no-dashboards
    if (typeof f === 'string') return f;
    if (typeof f === 'boolean') return String(f);
    const e = env[name];
    return e === undefined || e.trim() === '' ? undefined : e;
  };
  const problem = (name: InputName, message: string, why?: string) =>
    problems.push({ input: name, flag: `--${INPUT_FLAGS[name]}`, message, help: declared(template, name)?.description, ...(why ? { why } : {}) });
  const required = (name: InputName): string => {
    const v = value(name);
    if (v === undefined) {
      if (name in need) problem(name, 'not set', need[name]);
      return '';
    }
    return v;
  };

  const portClientId = required('PORT_CLIENT_ID').trim();
  const portClientSecret = required('PORT_CLIENT_SECRET');
  if (portClientSecret && /\s/.test(portClientSecret.trim()) ) problem('PORT_CLIENT_SECRET', 'contains whitespace; paste the secret exactly as Port shows it');
  if (portClientId && /\s/.test(portClientId)) problem('PORT_CLIENT_ID', 'contains whitespace; paste the client ID exactly as Port shows it');

  let portApiUrl = '';
  const region = 'PORT_API_URL' in need ? flags['port-region'] : undefined;
  const apiUrlRaw = value('PORT_API_URL');
  if (typeof region === 'string') {
    const r = region.trim().toLowerCase();
    if (!(r in PORT_REGIONS)) {
      problems.push({ input: 'PORT_REGION', flag: '--port-region', message: `"${region}" is not a region; use eu or us (or set PORT_API_URL to a custom URL)`, help: declared(template, 'PORT_API_URL')?.description });
    } else if (typeof flags['port-api-url'] === 'string') {
      problems.push({ input: 'PORT_REGION', flag: '--port-region', message: 'give either --port-region or --port-api-url, not both' });
    } else {
      portApiUrl = PORT_REGIONS[r as keyof typeof PORT_REGIONS];
    }
  }
  if (!portApiUrl) {
    try {
      portApiUrl = resolvePortBaseUrl(apiUrlRaw ?? (declared(template, 'PORT_API_URL')?.default as string | undefined));
    } catch (err) {
      problem('PORT_API_URL', (err as Error).message);
    }
  }

  let gitlabUrl = '';
  try {
    gitlabUrl = resolveGitLabHost(value('GITLAB_URL') ?? (declared(template, 'GITLAB_URL')?.default as string | undefined));
  } catch (err) {
    problem('GITLAB_URL', (err as Error).message);
  }

  const gitlabToken = required('GITLAB_TOKEN').trim();
  const unsafe = headerUnsafeChar(gitlabToken);
  if (unsafe) problem('GITLAB_TOKEN', headerUnsafeMessage(unsafe, 'the token from GitLab'));
  else if (gitlabToken && /\s/.test(gitlabToken)) problem('GITLAB_TOKEN', 'contains whitespace; paste the token exactly as GitLab shows it');

  let gitlabGroups: GroupRef[] = [];
  const groupsRaw = required('GITLAB_GROUPS');
  if (groupsRaw) {
    const parsed = parseGroups(groupsRaw);
    gitlabGroups = parsed.groups;
    for (const p of parsed.problems) problem('GITLAB_GROUPS', p);
  }

  let confidentialIssues = declared(template, 'INGEST_CONFIDENTIAL_ISSUES')?.default === true;
  const conf = value('INGEST_CONFIDENTIAL_ISSUES');
  if (conf !== undefined) {
    const b = parseBoolean(conf);
    if (b === undefined) problem('INGEST_CONFIDENTIAL_ISSUES', `"${conf}" is not a boolean; use true or false`);
    else confidentialIssues = b;
  }

  let installDashboards = declared(template, 'INSTALL_DASHBOARDS')?.default !== false;
  const dashboards = value('INSTALL_DASHBOARDS');
  if (dashboards !== undefined) {
    const b = parseBoolean(dashboards);
    if (b === undefined) problem('INSTALL_DASHBOARDS', `"${dashboards}" is not a boolean; use true or false`);
    else installDashboards = b;
  }

  if (problems.length) return { problems };
  return { inputs: { portClientId, portClientSecret, portApiUrl, gitlabUrl, gitlabToken, gitlabGroups, confidentialIssues, installDashboards }, problems };
}

/** Every problem, one line each, with the flag, the environment variable and where to get it. */
export function formatInputProblems(problems: readonly InputProblem[]): string {
  const lines = problems.map((p) => {
    const name = p.input === 'PORT_REGION' ? p.flag : `${p.input} (or ${p.flag})`;
    const text = `${p.message}${p.why ? ` (needed to ${p.why})` : ''}`;
    // No second full stop, and none glued to a URL (a reader would copy it with the URL).
    const stop = /[.!?]$/.test(text) || /https?:\/\/\S+$/.test(text) ? '' : '.';
    return `  - ${name}: ${text}${stop}${p.help ? `\n      ${p.help}` : ''}`;
  });
  return `missing or invalid inputs; nothing was sent to Port or GitLab:\n${lines.join('\n')}\nSet them as environment variables or flags, then run again.`;
}

/** The secret values among the environment and flags (for the output redactor), before they are checked. */
export function inputSecrets(env: Record<string, string | undefined>, flags: InputFlagValues): string[] {
  const out = [env.PORT_CLIENT_SECRET, env.GITLAB_TOKEN];
  for (const f of SECRET_INPUT_FLAGS) if (typeof flags[f] === 'string') out.push(flags[f] as string);
  return out.filter((s): s is string => typeof s === 'string' && s.trim().length > 0).map((s) => s.trim());
}
