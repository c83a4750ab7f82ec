/** The systemd unit shipped for Raspberry Pi installs: the properties the docs promise. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const unit = readFileSync(join(__dirname, '..', '..', 'deploy', 'vigil-gateway.service'), 'utf8');
const directive = (name: string): string[] => [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) => m[1]!);

describe('deploy/vigil-gateway.service', () => {
  it('runs the gateway as a non-root user with only the BLE capabilities', () => {
    expect(directive('User')).toEqual(['vigil']);
    expect(directive('AmbientCapabilities')).toEqual(['CAP_NET_RAW CAP_NET_ADMIN']);
    expect(directive('CapabilityBoundingSet')).toEqual(['CAP_NET_RAW CAP_NET_ADMIN']);
    expect(directive('NoNewPrivileges')).toEqual(['yes']);
    expect(directive('SupplementaryGroups')[0]).toContain('dialout');
  });

  it('always restarts, keeps its data in /var/lib/vigil/gateway and reads /etc/vigil/gateway.yaml', () => {
    expect(directive('Restart')).toEqual(['always']);
    expect(directive('StartLimitIntervalSec')).toEqual(['0']);
    expect(directive('StateDirectory')).toEqual(['vigil/gateway']);
    expect(directive('ExecStart')[0]).toMatch(/bin\/vigil\.js gateway --config \/etc\/vigil\/gateway\.yaml$/);
    expect(directive('WantedBy')).toEqual(['multi-user.target']);
  });
});
