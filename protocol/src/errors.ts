/**
 * Named reasons a receiver rejects a frame (SPEC §6). Each is a table row, so the union types, the
 * drop counters (`dropped_<code>`) and SPEC.md's error table come from one place. Decoding checks
 * in the order of these tables and stops at the first failure.
 */

export const UPLINK_ERRORS = [
  { code: 'bad_length', description: 'not exactly 24 bytes' },
  { code: 'bad_version', description: 'header high nibble is not protocol version 1' },
  { code: 'bad_kind', description: 'header low nibble is not 0 (uplink)' },
  { code: 'unknown_device', description: 'no key for the device id' },
  { code: 'bad_tag', description: 'the tag does not verify with the device key and the reconstructed counter (forged, corrupted, wrong key, or too old to reconstruct)' },
  { code: 'bad_type', description: 'authentic, but the message type code is not in the table (§5)' },
  { code: 'bad_field', description: 'authentic, but a field breaks a rule of §2 (battery 101–254, reserved flag bits, reserved position kind, detail or position bytes where none may be)' },
] as const;

export type UplinkError = (typeof UPLINK_ERRORS)[number]['code'];

export const DOWNLINK_ERRORS = [
  { code: 'bad_length', description: 'not exactly 16 bytes' },
  { code: 'bad_version', description: 'header high nibble is not protocol version 1' },
  { code: 'bad_kind', description: 'header low nibble is not 1 (downlink)' },
  { code: 'unknown_device', description: 'not addressed to a known device (a pendant: not its own id)' },
  { code: 'bad_command', description: 'command code not in the table (§4.2), including the reserved ranges' },
  { code: 'bad_tag', description: 'the tag does not verify' },
] as const;

export type DownlinkError = (typeof DOWNLINK_ERRORS)[number]['code'];

/** Receiver verdicts after a frame verified (SPEC §3.5); counted, not errors of the frame itself. */
export const REPLAY_VERDICTS = [
  { code: 'new', description: 'first time this counter is accepted: forward it' },
  { code: 'duplicate', description: 'this counter was already accepted (another gateway, a retransmission): count, do not forward' },
  { code: 'replay', description: 'older than the replay window: reject and count as `dropped_replay`' },
] as const;
