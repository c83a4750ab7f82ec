/** The monitoring centre as others outside it use it (the CLI, benchmarks): the service and its stores. */
export { Centre, type CentreDeps } from './centre';
export type { CentreConfig } from './config';
export { SqliteStore } from './store/sqlite';
export { PostgresStore } from './store/postgres';
export type { Store } from './store/types';
