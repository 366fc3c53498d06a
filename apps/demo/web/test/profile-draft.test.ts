import { describe, expect, it } from 'vitest';
import { profileDraftState, readProfileDraft } from '../src/profile-draft.js';

describe('profile draft across a login', () => {
  it('comes back exactly as it was saved', () => {
    const draft = { displayName: '  Ada  ', bio: 'Line one\nline two' };
    expect(readProfileDraft(profileDraftState(draft))).toEqual(draft);
  });

  it('accepts a draft without a bio as an empty bio', () => {
    expect(readProfileDraft({ displayName: 'Ada' })).toEqual({ displayName: 'Ada', bio: '' });
  });

  it('gives nothing for no state, another page’s state or wrong types', () => {
    expect(readProfileDraft(undefined)).toBeUndefined();
    expect(readProfileDraft({ title: 'a todo' })).toBeUndefined();
    expect(readProfileDraft({ displayName: 42, bio: '' })).toBeUndefined();
    expect(readProfileDraft({ displayName: 'Ada', bio: ['x'] })).toBeUndefined();
  });
});
