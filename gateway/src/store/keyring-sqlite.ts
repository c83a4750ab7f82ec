/** The last keyring the centre published, kept so a gateway restarted while cut off still verifies frames. */
import type { KeyringPayload } from '../../../protocol/src';
import type { KeyringCache } from '../keyring';
import type { Db } from './db';

export class SqliteKeyringCache implements KeyringCache {
  constructor(private readonly db: Db) {}

  load(): KeyringPayload | undefined {
    const row = this.db.prepare<[], { payload: string }>('SELECT payload FROM keyring WHERE id = 1').get();
    if (!row) return undefined;
    try {
      return JSON.parse(row.payload) as KeyringPayload;
    } catch {
      return undefined; // a damaged cache is no keyring: the retained topic brings a fresh one
    }
  }

  save(payload: KeyringPayload): void {
    this.db.prepare('INSERT INTO keyring (id, at, payload) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at, payload = excluded.payload').run(payload.at, JSON.stringify(payload));
  }
}
