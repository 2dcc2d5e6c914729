const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Label values for a request, bounded by the route table: a path matching a route pattern is labelled
 * with the pattern (`/api/v1/imports/:kind`, never the kind sent), anything else with `other`, so random
 * paths cannot grow the series (each series costs memory and scrape size for the life of the process).
 */
export function requestLabeler(
  patterns: readonly string[],
): (method: string | undefined, url: string | undefined) => { route: string; method: string } {
  const routes = [...new Set(patterns)].map((pattern) => ({ pattern, segments: pattern.split('/') }));
  const routeOf = (path: string) => {
    const segments = path.split('/');
    const match = routes.find(
      (r) =>
        r.segments.length === segments.length && r.segments.every((s, i) => s === segments[i] || (s.startsWith(':') && segments[i] !== '')),
    );
    return match?.pattern ?? 'other';
  };
  return (method, url) => ({
    route: routeOf((url ?? '').split('?')[0] ?? ''),
    method: method && METHODS.has(method) ? method : 'other',
  });
}
