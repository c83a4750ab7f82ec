/** Builds the radio transports a configuration names. */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { TransportConfig } from '../config';
import { BleTransport } from './ble';
import { LoraTransport } from './lora/transport';
import type { RadioTransport } from './types';

export function buildTransports(configs: TransportConfig[], clock: Clock, log: Logger): RadioTransport[] {
  return configs.map((c): RadioTransport => {
    switch (c.type) {
      case 'ble':
        return new BleTransport({
          id: c.id, clock, log: log.child(c.id),
          ...(c.companyId === undefined ? {} : { companyId: c.companyId }),
          ...(c.hciDevice === undefined ? {} : { hciDeviceId: c.hciDevice }),
          ...(c.gattTimeoutMs === undefined ? {} : { gattStepTimeoutMs: c.gattTimeoutMs }),
        });
      case 'lora':
        return new LoraTransport({
          id: c.id, path: c.path, modem: c.modem, clock, log: log.child(c.id),
          ...(c.baudRate === undefined ? {} : { baudRate: c.baudRate }),
          radio: {
            ...(c.frequencyHz === undefined ? {} : { frequencyHz: c.frequencyHz }),
            ...(c.spreadingFactor === undefined ? {} : { spreadingFactor: c.spreadingFactor }),
            ...(c.bandwidthKhz === undefined ? {} : { bandwidthKhz: c.bandwidthKhz }),
            ...(c.codingRate === undefined ? {} : { codingRate: c.codingRate }),
            ...(c.txPowerDbm === undefined ? {} : { txPowerDbm: c.txPowerDbm }),
          },
          ...(c.rxWindowMs === undefined ? {} : { rxWindowMs: c.rxWindowMs }),
          ...(c.downlinkHoldS === undefined ? {} : { downlinkHoldMs: c.downlinkHoldS * 1000 }),
        });
    }
  });
}
