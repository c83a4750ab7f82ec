// The centre's API with the bearer token of this browser tab (sessionStorage: never a cookie, so no
// other site can make the browser send it — CSRF-safe). A 401 means the login ended: back to log in.
const KEY = 'vigil.console.token';
let onLoggedOut = () => {};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (v) => (v ? sessionStorage.setItem(KEY, v) : sessionStorage.removeItem(KEY)),
};

export function whenLoggedOut(fn) {
  onLoggedOut = fn;
}

async function send(method, path, body, opts = {}) {
  const headers = { accept: 'application/json' };
  const tk = token.get();
  if (tk) headers.authorization = 'Bearer ' + tk;
  let payload;
  if (opts.raw) {
    headers['content-type'] = opts.type;
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'offline', VigilI18n.t('common.offline'));
  }
  if (opts.response === 'blob' && res.ok) return res.blob();
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data && data.error ? data.error.code : 'http_' + res.status, data && data.error ? data.error.message : res.statusText);
    if (res.status === 401 && path !== '/api/login') {
      token.set(null);
      onLoggedOut();
    }
    throw err;
  }
  return data;
}

export const api = {
  get: (path) => send('GET', path),
  post: (path, body) => send('POST', path, body === undefined ? {} : body),
  put: (path, body) => send('PUT', path, body),
  del: (path) => send('DELETE', path),
  upload: (path, file) => send('PUT', path, file, { raw: true, type: file.type }),
  blob: (path) => send('GET', path, undefined, { response: 'blob' }),
};

/** Query string from an object, leaving out empty values. */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}
