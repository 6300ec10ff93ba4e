const int64Max = 2n ** 63n - 1n;

/**
 * True for a decimal positive int64 without sign or leading zeros: the shape of repo,
 * classification and draft ids on the wire (spec §1.7).
 */
export function isPositiveInt64(s: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(s) && BigInt(s) <= int64Max;
}
