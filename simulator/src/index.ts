/**
 * The simulator as benchmarks use it: the Espruino stand-in running the built firmware, recorded
 * traces, the fleet of virtual pendants, and the evaluator's percentiles.
 */
export { VirtualBoard } from './espruino/board';
export { accelRateHz, feedAccel } from './espruino/profiles';
export { toBytes } from './espruino/storage';
export { DEFAULT_FALLS_DIR, fallsDataAvailable, readManifest, readTrace, resample } from './trace';
export { Fleet, FleetTransport } from './fleet/fleet';
export { percentile } from './eval/score';
