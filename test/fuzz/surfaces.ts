/** Every fuzzed surface, in the order `make fuzz` runs them (docs/security.md, "Fuzzing"). */
import type { Surface } from './engine';
import { configSurface } from './config';
import { csvSurface } from './csv';
import { dc09Surface } from './dc09';
import { httpSurface } from './http';
import { loraSurface } from './lora';
import { mqttSurface } from './mqtt';
import { radioSurface } from './radio';
import { smsSurface } from './sms';

// Each surface has its own input and context types; the runner treats them alike.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SURFACES: Surface<any, any>[] = [dc09Surface, httpSurface, mqttSurface, loraSurface, smsSurface, radioSurface, configSurface, csvSurface];
