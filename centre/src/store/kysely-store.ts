/**
 * The Store seam (types.ts) assembled from the repositories by concern — registry, alarms, sessions,
 * escalations and outbox, worker app, console, reports, pendant settings — over one Kysely database. The engines
 * (sqlite.ts, postgres.ts) only open the database and give what they do differently (engine.ts).
 */
import { Migrator } from 'kysely';
import type { Engine } from './engine';
import { migrations } from './migrations';
import { alarmRepository } from './repositories/alarms';
import { appRepository } from './repositories/app';
import { auditRepository } from './repositories/audit';
import { erasureRepository } from './repositories/erasure';
import { peopleRepository } from './repositories/people';
import { retentionRepository } from './repositories/retention';
import { consoleRepository } from './repositories/console';
import { organisationRepository } from './repositories/organisations';
import { outboxRepository } from './repositories/outbox';
import { pushRepository } from './repositories/push';
import { registryRepository, type RecordEvents } from './repositories/registry';
import { reportRepository } from './repositories/reports';
import { sessionRepository } from './repositories/sessions';
import { settingsRepository } from './repositories/settings';
import type { Store } from './types';

export type StoreMethods = Omit<Store, 'migrate' | 'close'>;

export function repositories(e: Engine, recordEvents: RecordEvents): StoreMethods {
  return {
    ...registryRepository(e, recordEvents), ...alarmRepository(e), ...sessionRepository(e), ...outboxRepository(e),
    ...appRepository(e), ...consoleRepository(e), ...reportRepository(e), ...pushRepository(e), ...settingsRepository(e),
    ...retentionRepository(e), ...auditRepository(e), ...peopleRepository(e), ...erasureRepository(e), ...organisationRepository(e),
  };
}

/** A base class whose instances carry the repositories' methods (typed as StoreMethods). */
const WithRepositories = class {
  constructor(methods: StoreMethods) {
    Object.assign(this, methods);
  }
} as new (methods: StoreMethods) => StoreMethods;

export abstract class KyselyStore extends WithRepositories implements Store {
  protected constructor(protected readonly engine: Engine, recordEvents: RecordEvents) {
    super(repositories(engine, recordEvents));
  }

  /**
   * Applies what migrations.ts has and the database has not, in order, each in its own transaction
   * (Kysely's Migrator: its table `kysely_migration`, and a lock so that workers starting together
   * migrate one after the other). Fails loudly with the failing migration's error.
   */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.engine.db.withoutPlugins(), provider: { getMigrations: async () => migrations(this.engine.dialect) }, ...(await this.migrationTableSchema()) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`store migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
    }
  }

  /** Where the migrator keeps its tables (PostgreSQL: the store's schema, not any schema it finds first). */
  protected async migrationTableSchema(): Promise<{ migrationTableSchema?: string }> {
    return {};
  }

  abstract close(): Promise<void>;
}
