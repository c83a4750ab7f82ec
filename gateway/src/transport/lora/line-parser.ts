/**
 * Splits the byte stream of a serial modem into text lines. Modems answer with ASCII lines ended by
 * CR LF (RN2483 command reference §2; RUI3 AT manual); a USB serial link delivers them in arbitrary
 * chunks, and after a power glitch or a baud-rate mismatch it delivers noise. The parser therefore
 * keeps partial lines across chunks, drops bytes that cannot belong to a modem line, and throws away
 * an over-long line instead of growing without bound — the next line end resynchronises it.
 * Nothing here throws on input.
 */

export interface LineParserStats {
  lines: number;
  /** Non-printable bytes removed (noise, NUL, XON/XOFF). */
  noiseBytes: number;
  /** Lines discarded because they exceeded the maximum length. */
  overlongLines: number;
}

const LF = 0x0a;
const CR = 0x0d;

export class LineParser {
  readonly stats: LineParserStats = { lines: 0, noiseBytes: 0, overlongLines: 0 };
  private buf: number[] = [];
  /** True while skipping the rest of an over-long line. */
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    /** Longest line kept; a RUI3 receive event with a 255-byte payload is about 530 characters. */
    private readonly maxLineLength = 600,
  ) {}

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (byte === LF || byte === CR) {
        this.endLine();
      } else if (byte < 0x20 || byte > 0x7e) {
        this.stats.noiseBytes++;
      } else if (!this.discarding) {
        if (this.buf.length >= this.maxLineLength) {
          this.stats.overlongLines++;
          this.buf = [];
          this.discarding = true;
        } else {
          this.buf.push(byte);
        }
      }
    }
  }

  /** Forgets a partial line, e.g. after the port was reopened. */
  reset(): void {
    this.buf = [];
    this.discarding = false;
  }

  private endLine(): void {
    const wasDiscarding = this.discarding;
    this.discarding = false;
    if (wasDiscarding || this.buf.length === 0) {
      this.buf = [];
      return;
    }
    const line = String.fromCharCode(...this.buf).trim();
    this.buf = [];
    if (line === '') return;
    this.stats.lines++;
    this.onLine(line);
  }
}
