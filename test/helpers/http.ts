/** A tiny JSON HTTP client for API tests (real sockets, global fetch). */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export async function call<T = Record<string, unknown>>(base: string, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<ApiResponse<T>> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function login(base: string, username: string, password: string): Promise<string> {
  const r = await call<{ token: string }>(base, 'POST', '/api/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}
