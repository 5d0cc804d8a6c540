import { Account, MuxedAccount, StrKey } from '@stellar/stellar-sdk';

/** Muxed (M...) accounts: a G... account plus a 64-bit id, used instead of a memo to tell customers apart. */

export function isMuxedAddress(address: string): boolean {
  return StrKey.isValidMed25519PublicKey(address);
}

export function isAccountAddress(address: string): boolean {
  return StrKey.isValidEd25519PublicKey(address);
}

/** G... + id → M... */
export function muxedAddress(account: string, id: string | bigint): string {
  return new MuxedAccount(new Account(account, '0'), String(id)).accountId();
}

/** M... → its G... account and id (decimal string). */
export function parseMuxedAddress(address: string): { account: string; id: string } {
  const muxed = MuxedAccount.fromAddress(address, '0');
  return { account: muxed.baseAccount().accountId(), id: muxed.id() };
}

/**
 * The G... account behind an address: M... → its base account, anything else (G..., C...) unchanged. The one M→G
 * conversion: Horizon keys accounts (and SEP-10 the signer check) by the G... account.
 */
export function baseAccountId(address: string): string {
  return isMuxedAddress(address) ? parseMuxedAddress(address).account : address;
}

export interface Destination {
  /** The G... account that holds the balance. */
  account: string;
  /** The muxed id when the address was M..., else null. */
  muxedId: string | null;
  /** The address as given (G... or M...). */
  address: string;
}

/** Splits a payment destination; throws on anything but a valid G... or M... address. */
export function parseDestination(address: string): Destination {
  if (isAccountAddress(address)) return { account: address, muxedId: null, address };
  if (isMuxedAddress(address)) {
    const { account, id } = parseMuxedAddress(address);
    return { account, muxedId: id, address };
  }
  throw new Error('destination must be a G... or M... Stellar address');
}
