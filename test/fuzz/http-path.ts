/**
 * Which route a fuzzed request reached. The fuzzer builds a request from an operation's template,
 * but a path parameter of `..` or `%2e%2e` is a dot segment: the URL parser (WHATWG URL, RFC 3986
 * §5.2.4) and the server resolve it before routing, so `GET /api/zones/%2e%2e/..` is `GET /`, the
 * console's public page — its 200 is not the zones route answering a stranger. An answer is credited
 * to the operation only when the resolved path still matches the operation's template.
 */

/** `.` and its percent-encoded spellings (WHATWG URL: "single-dot URL path segment"). */
const SINGLE = /^(\.|%2e)$/i;
/** `..`, `.%2e`, `%2e.`, `%2e%2e` (WHATWG URL: "double-dot URL path segment"). */
const DOUBLE = /^(\.|%2e)(\.|%2e)$/i;

/**
 * The path (no query) with its dot segments removed, as WHATWG URL does for a special scheme's path
 * (backslashes are left alone: the fuzzer sends them raw and the server does not read them as `/`).
 */
export function resolveDotSegments(path: string): string {
  const segments = path.split('/').slice(1);
  const out: string[] = [];
  for (const [i, s] of segments.entries()) {
    const last = i === segments.length - 1;
    if (DOUBLE.test(s)) {
      out.pop();
      if (last) out.push('');
    } else if (SINGLE.test(s)) {
      if (last) out.push('');
    } else {
      out.push(s);
    }
  }
  return '/' + out.join('/');
}

/** Whether `target` (a request target: path and maybe a query) reaches the route `template` (`/api/zones/{id}`). */
export function reachesRoute(target: string, template: string): boolean {
  const raw = target.split('?')[0]!;
  const resolved = resolveDotSegments(raw);
  if (resolved === raw) return true; // no dot segment: the request is the route's, as built
  const re = new RegExp(`^${template.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}/?$`);
  return re.test(resolved);
}
