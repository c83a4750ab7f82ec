/**
 * The Bangle.js 2 speaks the worker's language (issue 20): provisioning a watch for a worker with a
 * language writes the screen texts into vigil.json (`txt`, centre/src/registry/registry.ts settingsLine), and
 * the built firmware shows them — accents included, carried as Latin-1 escapes. Without `txt` the
 * firmware keeps its English texts (bangle.test.ts).
 */
import { settingsLine } from '../../centre/src/registry/registry';
import { watchTexts } from '../../centre/src/escalation/language';
import { bangleState, menuSelect } from '../../simulator/src/espruino/bangle';
import { boot, hold, LYING, UPRIGHT } from './helpers';

/** Runs the provisioning line against a stand-in Storage, as the Espruino console would. */
function provisioned(line: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  const storage = { readJSON: (name: string) => files[name], writeJSON: (name: string, v: unknown) => void (files[name] = v), erase: () => undefined };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the line is the point: it is what the console runs
  (new Function('require', line) as (r: () => typeof storage) => void)(() => storage);
  return files['vigil.json'] as Record<string, unknown>;
}

describe('Bangle.js 2 in the worker\'s language', () => {
  it('keeps the provisioning line ASCII and carries the texts intact', () => {
    const line = settingsLine({ id: '1234abcd', key: '2b7e151628aed2a6abf7158809cf4f3c' }, watchTexts('fr'));
    expect(line).toMatch(/^[\x20-\x7e]+$/);
    expect(provisioned(line)).toMatchObject({ id: '1234abcd', txt: watchTexts('fr') });
  });

  it('shows a French pre-alarm, alarm, help coming and menu', () => {
    const settings = provisioned(settingsLine({ id: '1234abcd', key: '2b7e151628aed2a6abf7158809cf4f3c' }, watchTexts('fr')));
    const rig = boot({ board: 'bangle2', settings: { txt: settings['txt'], tiltS: 5, fall: false, still: false } });
    expect(rig.signals.draw.map((d) => d.text ?? '').join('|')).toContain('PROTÉGÉ');
    hold(rig, 3, UPRIGHT);
    hold(rig, 6, LYING);
    expect(rig.signals.draw.at(-1)!.text).toMatch(/^A TERRE \?: Appuyez sur le\nbouton pour annuler\n\d+ s$/);
    hold(rig, 20, LYING);
    expect(rig.signals.draw.map((d) => d.text ?? '')).toContain('A TERRE ?: Alarme envoyée');
    rig.down('help_coming', rig.last().counter);
    rig.clock.advance(3000);
    expect(rig.signals.draw.at(-1)!.text).toBe('ALARME: LES SECOURS\nARRIVENT');
    expect(rig.board.errors).toEqual([]);
  });

  it('switches protection from a German menu', () => {
    const settings = provisioned(settingsLine({ id: '1234abcd', key: '2b7e151628aed2a6abf7158809cf4f3c' }, watchTexts('de')));
    const rig = boot({ board: 'bangle2', settings: { txt: settings['txt'] } });
    rig.board.press('BTN', 120);
    rig.clock.advance(500);
    expect(Object.keys(bangleState(rig.board).menu ?? {})).toEqual(['', 'Schutz', 'Schließen']);
    expect(menuSelect(rig.board, 'Schutz')).toBe(true);
    expect(rig.of('protection_off')).toHaveLength(1);
    expect(rig.signals.draw.at(-1)!.text).toContain('Schutz aus');
  });
});
