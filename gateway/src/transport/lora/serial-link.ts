/**
 * The serial line to a modem: open, write lines, receive bytes, notice when the device disappears
 * (USB unplugged → the port closes with `disconnected`). The `serialport` package is loaded only
 * when a port is opened, so a gateway without LoRa never loads its native binding.
 */
import { EventEmitter } from 'node:events';

export type SerialLinkEvents = { data: [Uint8Array]; close: [reason: string] };

export interface SerialLink extends EventEmitter<SerialLinkEvents> {
  open(): Promise<void>;
  /** Writes `line` followed by CR LF and waits until it left the process. */
  writeLine(line: string): Promise<void>;
  close(): Promise<void>;
}

export type OpenSerialLink = (path: string, baudRate: number) => SerialLink;

type SerialPortLike = import('serialport').SerialPort;

export class NodeSerialLink extends EventEmitter<SerialLinkEvents> implements SerialLink {
  private port: SerialPortLike | undefined;
  private closing = false;

  constructor(
    readonly path: string,
    readonly baudRate: number,
  ) {
    super();
  }

  open(): Promise<void> {
    const { SerialPort } = require('serialport') as typeof import('serialport');
    // Pseudo-terminals (and some USB bridges) reject the DTR/RTS ioctl: do not touch the lines.
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false, hupcl: false, lock: true });
    this.port = port;
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) {
          this.port = undefined;
          return reject(new Error(`cannot open ${this.path}: ${err.message}`));
        }
        port.on('data', (chunk: Buffer) => this.emit('data', new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
        port.on('error', () => undefined); // the close event that follows carries the news
        port.on('close', (e: (Error & { disconnected?: boolean }) | null) => {
          this.port = undefined;
          if (this.closing) return;
          this.emit('close', e?.disconnected ? `${this.path} disappeared (unplugged?)` : `${this.path} closed${e ? `: ${e.message}` : ''}`);
        });
        resolve();
      });
    });
  }

  writeLine(line: string): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new Error(`${this.path} is not open`));
    return new Promise((resolve, reject) => {
      port.write(`${line}\r\n`, 'ascii', (err) => {
        if (err) return reject(err);
        port.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return Promise.resolve();
    this.closing = true;
    return new Promise((resolve) => port.close(() => resolve()));
  }
}

export const openNodeSerialLink: OpenSerialLink = (path, baudRate) => new NodeSerialLink(path, baudRate);
