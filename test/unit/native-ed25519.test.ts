import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { Keypair } from '@stellar/stellar-sdk';
import { describe, expect, it } from 'vitest';
import { installNativeEd25519, nativeSign, nativeVerify } from '../../stellar/native-ed25519.js';

describe('native ed25519 for the Stellar SDK', () => {
  installNativeEd25519();

  it('produces exactly the signatures of the SDK’s own (noble) implementation', () => {
    for (let i = 0; i < 20; i++) {
      const seed = randomBytes(32);
      const data = randomBytes(32);
      expect(Buffer.from(nativeSign(data, seed))).toEqual(Buffer.from(ed25519.sign(data, seed)));
    }
  });

  it('the SDK now signs natively: keys and signatures unchanged, verification strict', () => {
    const seed = randomBytes(32);
    const kp = Keypair.fromRawEd25519Seed(seed);
    expect(Buffer.from(kp.rawPublicKey())).toEqual(Buffer.from(ed25519.getPublicKey(seed)));
    const data = randomBytes(32);
    const sig = kp.sign(data);
    expect(Buffer.from(sig)).toEqual(Buffer.from(ed25519.sign(data, seed)));
    expect(kp.verify(data, sig)).toBe(true);
    const tampered = Buffer.from(sig);
    tampered[5] = (tampered[5]! ^ 1) & 0xff;
    expect(kp.verify(data, tampered)).toBe(false);
    expect(Keypair.random().verify(data, sig)).toBe(false);
  });

  it('rejects malformed inputs instead of throwing', () => {
    expect(nativeVerify(randomBytes(32), randomBytes(10), randomBytes(32))).toBe(false);
    expect(nativeVerify(randomBytes(32), randomBytes(64), randomBytes(31))).toBe(false);
  });
});
