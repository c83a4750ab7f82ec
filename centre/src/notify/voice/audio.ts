/**
 * Prompt audio: text spoken by Debian's `espeak-ng` (a local process, no cloud TTS), resampled to
 * 8 kHz and encoded as G.711 µ-law and A-law with `wavefile`, cached as files named by a hash of
 * (voice, speed, text) — so the fixed phrases and digits are rendered once, at the first start, and a
 * call's own sentence (worker, site) once per distinct text. The text reaches espeak-ng on standard
 * input, never as an argument, so no name can become an option.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WaveFile } from 'wavefile';
import type { Codec } from './sdp';
import { fixedTexts, type Segment, type VoiceLanguage, VOICE_LANGUAGES } from './prompts';

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL = /[\u0000-\u001f\u007f]/g;

export type Audio = Record<Codec, Uint8Array>;

export interface PromptAudioOptions {
  /** Cache directory (created). */
  dir: string;
  /** The espeak-ng executable. */
  espeak?: string;
  wordsPerMinute?: number;
  /** espeak-ng voice per language (default: the language code). */
  voices?: Partial<Record<VoiceLanguage, string>>;
}

const SILENCE: Record<Codec, number> = { PCMU: 0xff, PCMA: 0xd5 };
const MEMORY_ENTRIES = 256;

export class PromptAudio {
  private readonly memory = new Map<string, Promise<Audio>>();

  constructor(private readonly opts: PromptAudioOptions) {}

  /** Renders every fixed phrase and digit of every language (first start); later starts read the files. */
  async prewarm(langs: readonly VoiceLanguage[] = VOICE_LANGUAGES): Promise<void> {
    for (const lang of langs) for (const text of fixedTexts(lang)) await this.say(lang, text);
  }

  /** One spoken text as G.711 in both laws. */
  say(lang: VoiceLanguage, text: string): Promise<Audio> {
    const voice = this.opts.voices?.[lang] ?? lang;
    const wpm = this.opts.wordsPerMinute ?? 160;
    const key = createHash('sha256').update(`${voice}|${wpm}|${text}`).digest('hex').slice(0, 32);
    let p = this.memory.get(key);
    if (!p) {
      p = this.load(key, voice, wpm, text);
      p.catch(() => this.memory.delete(key));
      this.memory.set(key, p);
      if (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value!);
    }
    return p;
  }

  /** A whole prompt: its segments rendered and joined (pauses are silence of the right law). */
  async render(lang: VoiceLanguage, segments: Segment[]): Promise<Audio> {
    const parts: (Audio | number)[] = [];
    for (const s of segments) {
      if ('pauseMs' in s) parts.push(s.pauseMs);
      else if ('say' in s) parts.push(await this.say(lang, s.say));
      else for (const [i, d] of [...s.digits].entries()) parts.push(...(i ? [250] : []), await this.say(lang, d));
    }
    const join = (codec: Codec): Uint8Array => {
      const chunks = parts.map((p) => (typeof p === 'number' ? new Uint8Array(p * 8).fill(SILENCE[codec]) : p[codec]));
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    };
    return { PCMU: join('PCMU'), PCMA: join('PCMA') };
  }

  private async load(key: string, voice: string, wpm: number, text: string): Promise<Audio> {
    const base = join(this.opts.dir, key);
    try {
      const [u, a] = await Promise.all([readFile(`${base}.pcmu`), readFile(`${base}.pcma`)]);
      return { PCMU: new Uint8Array(u), PCMA: new Uint8Array(a) };
    } catch {
      // not cached yet
    }
    await mkdir(this.opts.dir, { recursive: true });
    const wavPath = `${base}.${randomBytes(4).toString('hex')}.wav`;
    try {
      await speak(this.opts.espeak ?? 'espeak-ng', ['-v', voice, '-s', String(wpm), '-w', wavPath, '--stdin'], text);
      const audio = toG711(await readFile(wavPath));
      for (const codec of ['PCMU', 'PCMA'] as const) {
        const tmp = `${base}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(tmp, audio[codec]);
        await rename(tmp, `${base}.${codec.toLowerCase()}`);
      }
      return audio;
    } finally {
      await rm(wavPath, { force: true });
    }
  }
}

function speak(bin: string, args: string[], text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(bin, args, { timeout: 20_000 }, (e, _out, err) => (e ? reject(new Error(`${bin} failed: ${err.trim() || e.message}`)) : resolve()));
    child.stdin?.end(text.replace(CONTROL, ' '));
  });
}

/** espeak-ng's WAV (22.05 kHz, 16-bit mono) → 8 kHz with a low-pass filter first → G.711. */
export function toG711(wav: Buffer): Audio {
  const w = new WaveFile(wav);
  w.toSampleRate(8000, { method: 'sinc', LPF: true });
  w.toBitDepth('16');
  const pcm = w.getSamples(false, Int16Array) as unknown as Int16Array;
  const encode = (codec: Codec): Uint8Array => {
    const x = new WaveFile();
    x.fromScratch(1, 8000, '16', pcm);
    if (codec === 'PCMU') x.toMuLaw();
    else x.toALaw();
    return new Uint8Array((x as unknown as { data: { samples: Uint8Array } }).data.samples);
  };
  return { PCMU: encode('PCMU'), PCMA: encode('PCMA') };
}
