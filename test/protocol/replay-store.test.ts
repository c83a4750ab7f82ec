import { MemoryReplayStore } from '../../gateway/src/replay';
import { describeReplayStore } from './replay-store-contract';

describeReplayStore('MemoryReplayStore', () => new MemoryReplayStore());
