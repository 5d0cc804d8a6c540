// Every test file signs and verifies like the shipped processes do (api/main.ts, worker/main.ts and the sandbox
// Horizon install node:crypto ed25519 at start; see stellar/native-ed25519.ts).
import { installNativeEd25519 } from '../../stellar/native-ed25519.js';

installNativeEd25519();
