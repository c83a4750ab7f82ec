/** The alarm-receiving-centre output (SIA DC-09): what the centre or the CLI needs to run it. */
export { ArcService, arcServices, queueFile, INTEGRATION_KIND } from './service';
export { type ArcConfig, type ArcLinkConfig, loadArcConfig, validateArcConfig } from './config';
export { ArcQueue, type QueuedEvent } from './queue';
export { ArcLink, type LinkStatus } from './link';
export { DEFAULT_CODES, CODE_KEYS, type CodeKey } from './codes';
