import { DurationFormatError, formatDuration, parseDuration } from '../../../core';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '10 minutes', '-5s', '5x', '1h 30m'])('rejects "%s" with a DurationFormatError', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationFormatError);
  });
});

describe('formatDuration', () => {
  it('writes milliseconds the way users write durations', () => {
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(0)).toBe('0s');
  });

  it('round-trips through parseDuration', () => {
    expect(parseDuration(formatDuration(9_045_250))).toBe(9_045_250);
  });
});
