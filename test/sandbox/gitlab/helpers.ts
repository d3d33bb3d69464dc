// Shared helpers of the local GitLab tests: raw API calls, a webhook receiver, fixtures.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import { listen, closeServer } from '../../../scripts/sandbox/http/listen.ts';
import type { LocalGitLab } from '../../../scripts/sandbox/gitlab/index.ts';

export async function api(gl: LocalGitLab, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? gl.token : init.token;
  if (token) headers.set('PRIVATE-TOKEN', token);
  return fetch(`${gl.url}/api/v4${path}`, { ...init, headers });
}

export async function apiJson(gl: LocalGitLab, path: string, init: RequestInit & { token?: string | null } = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await api(gl, path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

export type Received = { headers: IncomingHttpHeaders; body: any; path: string };

/** A loopback webhook receiver answering `status` (can be changed) and recording every request. */
export async function startReceiver(status = 200) {
  const received: Received[] = [];
  const state = { status };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), path: req.url ?? '' });
      res.writeHead(state.status, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  const url = await listen(server);
  return { url, received, setStatus: (s: number) => { state.status = s; }, close: () => closeServer(server) };
}

export function fixture(name: string): { headers: Record<string, string>; body: any } {
  return JSON.parse(readFileSync(new URL(`../../fixtures/gitlab-payloads/${name}.json`, import.meta.url), 'utf8'));
}

/** Keys of an object, recursively for nested plain objects (arrays: keys of their first element). */
export function keyPaths(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.length && typeof v[0] === 'object' && v[0] !== null ? keyPaths(v[0], `${prefix}[]`) : [];
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => [`${prefix}${k}`, ...keyPaths(x, `${prefix}${k}.`)]);
}

export function parseLink(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (m) out[m[2]] = m[1];
  }
  return out;
}
