/** The profile form's unsaved input, carried through a login redirect as app state. */
export interface ProfileDraft {
  displayName: string;
  bio: string;
}

/** The app state to save before a login so the form can be filled again after it. */
export function profileDraftState(draft: ProfileDraft): Record<string, unknown> {
  return { displayName: draft.displayName, bio: draft.bio };
}

/**
 * The draft in state handed back after a login, or `undefined` when there is none or it is not one
 * (state is this tab's own, but still read as untrusted input).
 */
export function readProfileDraft(state: Record<string, unknown> | undefined): ProfileDraft | undefined {
  if (!state) return undefined;
  const { displayName, bio } = state;
  if (typeof displayName !== 'string') return undefined;
  if (bio !== undefined && typeof bio !== 'string') return undefined;
  return { displayName, bio: bio ?? '' };
}
