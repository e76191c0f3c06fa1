// The test's authenticator app must be right before it is trusted: RFC 6238
// appendix B vectors (SHA-1) and RFC 4226 appendix D.

import { describe, expect, it } from 'vitest';
import { base32Decode, hotp, totp } from './totp';

// "12345678901234567890" in base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('totp helper', () => {
  it('decodes base32', () => {
    expect(base32Decode(RFC_SECRET).toString('ascii')).toBe('12345678901234567890');
    expect(base32Decode('gezd gnbv-gy3t qojq gezd gnbv gy3t qojq').toString('ascii')).toBe('12345678901234567890');
  });

  it('matches RFC 4226 HOTP values', () => {
    const secret = Buffer.from('12345678901234567890');
    expect([0, 1, 2, 3, 9].map((c) => hotp(secret, c))).toEqual(['755224', '287082', '359152', '969429', '520489']);
  });

  it('matches RFC 6238 TOTP values (last 6 digits)', () => {
    expect(totp(RFC_SECRET, 59_000)).toBe('287082');
    expect(totp(RFC_SECRET, 1111111109_000)).toBe('081804');
    expect(totp(RFC_SECRET, 1234567890_000)).toBe('005924');
    expect(totp(RFC_SECRET, 2000000000_000)).toBe('279037');
  });
});
