import { SqliteStore } from '../../centre/src/store/sqlite';
import { describeAppStore } from './app-store-contract';

describeAppStore('SQLite', async () => new SqliteStore(':memory:'));
