// Port's API hosts per region (port.md §1.1). The legacy *.getport.io aliases still work, but
// the current hosts are the defaults.

export const PORT_REGIONS = {
  eu: 'https://api.port.io',
  us: 'https://api.us.port.io',
} as const;

export type PortRegion = keyof typeof PORT_REGIONS;

export const DEFAULT_PORT_API_URL = PORT_REGIONS.eu;

/**
 * Turns `eu`, `us` or a base URL into a base URL without a trailing slash (and without `/v1`,
 * which the client adds). Throws a message that says what to set when the value is unusable.
 */
export function resolvePortBaseUrl(input?: string | null): string {
  const raw = (input ?? '').trim();
  if (raw === '') return DEFAULT_PORT_API_URL;
  const lower = raw.toLowerCase();
  if (lower in PORT_REGIONS) return PORT_REGIONS[lower as PortRegion];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `Port API URL "${raw}" is neither a region (eu, us) nor a URL. Set PORT_API_URL (or --port-region eu|us), e.g. ${PORT_REGIONS.eu}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`Port API URL "${raw}" must use https:// (http:// only for a local sandbox). Set PORT_API_URL.`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`Port API URL "${url.origin}${url.pathname}" must not carry credentials, a query or a fragment. Set PORT_API_URL to the bare base URL, e.g. ${PORT_REGIONS.eu}`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${path}`;
}
