/**
 * Headers on every answer of the centre's HTTP server (docs/security.md, "Browser"). The three web
 * apps (console, worker app, responder page) load only their own scripts and styles — no inline
 * script, no inline style attribute, no eval — so the policy can be strict: a name or note carrying
 * `<script>` that ever reached the DOM as markup could still not run. Map tiles come from the
 * configured tile server, whose origin is the one exception in img-src.
 */
export interface SecurityHeaderOptions {
  /** `console.tileUrl`: `https://{s}.tile.example.org/{z}/{x}/{y}.png`, `/tiles/{z}/{x}/{y}.png` or null. */
  tileUrl: string | null;
  /** Served over TLS: browsers are told to keep to HTTPS (HSTS). */
  tls: boolean;
}

/** The tile server's origin as a CSP source (`{s}` subdomains as a wildcard), or undefined for our own. */
export function tileSource(tileUrl: string | null): string | undefined {
  if (!tileUrl || tileUrl.startsWith('/') && !tileUrl.startsWith('//')) return undefined;
  const m = /^(https?:)?\/\/([^/]+)/.exec(tileUrl);
  if (!m) return undefined;
  const host = m[2]!.replace(/\{[a-z]+\}/g, '*');
  return `${m[1] ?? 'https:'}//${host}`;
}

export function contentSecurityPolicy(tileUrl: string | null): string {
  const tiles = tileSource(tileUrl);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob: data:${tiles ? ` ${tiles}` : ''}`,
    "connect-src 'self'",
    "font-src 'self'",
    "media-src 'self' blob: data:",
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function securityHeaders(o: SecurityHeaderOptions): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(o.tileUrl),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), payment=(), usb=(), interest-cohort=()',
    ...(o.tls ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
