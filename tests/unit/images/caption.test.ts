import { describe, expect, it } from 'vitest';

import { splitCaption } from '../../../src/images/caption.js';

describe('splitCaption', () => {
  it('keeps a short text whole', () => {
    expect(splitCaption('🎨 a fox', 1024)).toEqual({ caption: '🎨 a fox' });
  });

  it('cuts at the last space', () => {
    const parts = splitCaption('one two three four', 10);
    expect(parts).toEqual({ caption: 'one two', followUpText: 'three four' });
  });

  it('keeps every character', () => {
    const text = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
    const parts = splitCaption(text);
    expect(parts.caption.length).toBeLessThanOrEqual(1024);
    expect(`${parts.caption} ${parts.followUpText}`).toBe(text);
  });

  it('never splits an escape', () => {
    const parts = splitCaption('abcdefghi\\*rest', 10);
    expect(parts.caption).toBe('abcdefghi');
    expect(parts.followUpText).toBe('\\*rest');
  });

  it('never splits a surrogate pair', () => {
    const parts = splitCaption('abcdefghi😀rest', 10);
    expect(parts.caption).toBe('abcdefghi');
    expect(parts.followUpText).toBe('😀rest');
  });
});
