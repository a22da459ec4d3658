import { describe, expect, it } from 'vitest';

import { findBlockedWord } from '../../../src/images/prompt-safety.js';

describe('findBlockedWord', () => {
  it.each([
    ['a nude portrait', 'nude'],
    ['PORNOGRAPHIC poster', 'porn'],
    ['NSFW art', 'nsfw'],
    ['çıplak bir kadın', 'çıplak'],
    ['ÇIPLAK adam', 'çıplak'],
    ['erotik bir sahne', 'erotik'],
    ['explicit SEX scene', 'sex'],
  ])('finds %s', (prompt, word) => {
    expect(findBlockedWord(prompt)).toBe(word);
  });

  it.each(['a red fox in the snow', 'Istanbul at night', 'bir kedi ve köpek', 'essex countryside'])('allows %s', (prompt) => {
    expect(findBlockedWord(prompt)).toBeUndefined();
  });
});
