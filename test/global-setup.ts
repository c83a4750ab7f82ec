// Builds the firmware dist files once, so every test runs the files that ship to devices.
import { buildAll } from '../firmware/tools/build';

export default function globalSetup(): void {
  buildAll();
}
