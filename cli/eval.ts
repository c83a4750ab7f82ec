import type { Command } from './main';

export const evalCommand: Command = {
  summary: 'evaluate fall detection on recorded traces (not built yet: simulator issue)',
  usage: 'npx vigil eval --manifest <manifest.csv> [--board puckjs|bangle2|lora] [--json]',
  async run() {
    process.stderr.write('vigil eval: the detection evaluator is not built yet (see the simulator issue).\n');
    return 2;
  },
};
