import { SqliteStore } from '../../centre/src/store/sqlite';
import { describeConsoleStore } from './console-store-contract';

describeConsoleStore('SQLite', async () => new SqliteStore(':memory:'));
