/** The centre's HTTP API as an operator sees it (scenario actions and expectations). */

export interface ApiAlarm {
  id: string;
  number: string;
  type: string;
  state: string;
  workerId: string | null;
  deviceId: string | null;
  createdAt: number;
  raisedAt: number | null;
  /** Where the centre places the alarm (a zone from a beacon, or coordinates). */
  place: { zoneId: string | null } | null;
}

export class Api {
  private constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async login(baseUrl: string, username: string, password: string): Promise<Api> {
    const r = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const body = (await r.json()) as { token?: string };
    if (r.status !== 200 || !body.token) throw new Error(`login to ${baseUrl} failed: HTTP ${r.status}`);
    return new Api(baseUrl, body.token);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async alarms(): Promise<ApiAlarm[]> {
    return (await this.call<{ alarms: ApiAlarm[] }>('GET', '/api/alarms?state=all')).alarms;
  }

  async timeline(id: string): Promise<string[]> {
    return (await this.call<{ timeline: { action: string }[] }>('GET', `/api/alarms/${id}`)).timeline.map((t) => t.action);
  }

  async acknowledge(id: string): Promise<void> {
    await this.call('POST', `/api/alarms/${id}/acknowledge`);
  }

  async resolve(id: string, comment: string): Promise<void> {
    await this.call('POST', `/api/alarms/${id}/resolve`, { reason: 'test', comment });
  }

  async ingestCounters(): Promise<Record<string, number>> {
    return (await this.call<{ ingest?: Record<string, number> }>('GET', '/api/health')).ingest ?? {};
  }
}
