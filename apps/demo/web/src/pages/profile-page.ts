import { LoginRequiredError } from '@gatehouse/browser';
import { expectOk } from '../app/api-response.js';
import { type Page, reportFailure } from '../app/page.js';
import { type ProfileDraft, profileDraftState, readProfileDraft } from '../profile-draft.js';
import { el } from '../shell/element.js';
import { card, loadingIndicator, pageHeading } from '../shell/feedback.js';

interface Profile {
  displayName: string | null;
  bio: string;
}

function readProfile(value: unknown): Profile {
  const profile = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  return {
    displayName: typeof profile.displayName === 'string' ? profile.displayName : null,
    bio: typeof profile.bio === 'string' ? profile.bio : '',
  };
}

const returnUrl = '/profile';

/**
 * `/profile`: `GET`/`PUT /api/profile`. A save that finds the session gone keeps the input through
 * the login (`LoginRequiredError.redirect` with state) and puts it back in the form afterwards.
 */
export const profilePage: Page = async (context) => {
  const { root, bff, signal } = context;
  const draft = readProfileDraft(context.returnedState);
  const body = el('div', { className: 'card-body' }, [loadingIndicator('Loading your profile…')]);
  root.append(pageHeading('Profile', 'How the demo API knows you. Stored per user.'), card(null, [body]));

  let profile: Profile;
  try {
    const response = await expectOk(await bff.fetch('/api/profile', { signal }));
    profile = readProfile(await response.json());
  } catch (error) {
    body.replaceChildren();
    // Still signed out after coming back: keep the draft for the next attempt.
    reportFailure(context, error, { returnUrl, ...(draft ? { state: profileDraftState(draft) } : {}) });
    return;
  }
  if (signal.aborted) return;

  const nameInput = el('input', {
    className: 'input',
    testId: 'profile-display-name',
    attrs: {
      id: 'profile-display-name',
      name: 'displayName',
      type: 'text',
      maxlength: '100',
      required: '',
      autocomplete: 'nickname',
    },
  });
  const bioInput = el('textarea', {
    className: 'input textarea',
    testId: 'profile-bio',
    attrs: { id: 'profile-bio', name: 'bio', maxlength: '1000', rows: '5' },
  });
  const bioCount = el('span', { className: 'field-hint', attrs: { 'aria-live': 'off' } });
  const saveButton = el(
    'button',
    { className: 'button button-primary', testId: 'profile-save', attrs: { type: 'submit' } },
    ['Save'],
  );
  const status = el('p', { className: 'form-status', testId: 'profile-status', attrs: { role: 'status' } });
  const note = el('p', { className: 'form-status', attrs: { 'data-kind': 'pending', role: 'status' } });
  note.hidden = true;
  const form = el('form', { className: 'form', attrs: { novalidate: '' } }, [
    el('div', { className: 'field' }, [
      el('label', { className: 'label', attrs: { for: 'profile-display-name' } }, ['Display name']),
      nameInput,
    ]),
    el('div', { className: 'field' }, [
      el('div', { className: 'label-row' }, [
        el('label', { className: 'label', attrs: { for: 'profile-bio' } }, ['Bio']),
        bioCount,
      ]),
      bioInput,
    ]),
    el('div', { className: 'actions' }, [saveButton, status, note]),
  ]);

  type StatusKind = 'saved' | 'restored';
  const showStatus = (kind: StatusKind | undefined, text = '') => {
    status.textContent = text;
    status.hidden = kind === undefined;
    if (kind) status.dataset.kind = kind;
    else delete status.dataset.kind;
  };
  const countBio = () => {
    bioCount.textContent = `${bioInput.value.length} / 1000`;
  };

  nameInput.value = draft?.displayName ?? profile.displayName ?? '';
  bioInput.value = draft?.bio ?? profile.bio;
  countBio();
  if (draft) showStatus('restored', 'Your unsaved changes were restored.');
  else showStatus(undefined);

  form.addEventListener('input', () => {
    countBio();
    // "Saved" stops being true at the first keystroke; "restored" stays until the user saves.
    if (status.dataset.kind === 'saved') showStatus(undefined);
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (saveButton.disabled) return;
    const input: ProfileDraft = { displayName: nameInput.value, bio: bioInput.value };
    if (input.displayName.trim() === '') {
      context.alert.show('Please enter a display name.', { code: 'invalid_input' });
      nameInput.focus();
      return;
    }
    context.alert.clear();
    // The notice goes at once: nothing reads as saved (or restored) until the answer says so.
    showStatus(undefined);
    note.hidden = true;
    saveButton.disabled = true;
    saveButton.textContent = 'Saving…';
    try {
      const response = await expectOk(
        await bff.fetch('/api/profile', {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ displayName: input.displayName.trim(), bio: input.bio }),
        }),
      );
      const saved = readProfile(await response.json());
      nameInput.value = saved.displayName ?? input.displayName.trim();
      bioInput.value = saved.bio;
      countBio();
      showStatus('saved', 'Saved.');
    } catch (error) {
      if (error instanceof LoginRequiredError && !signal.aborted) {
        // The session is gone: sign in again and come back here with exactly what was typed.
        saveButton.textContent = 'Signing in again…';
        note.textContent = 'Your session has ended. Taking you to sign in; your changes will be kept.';
        note.hidden = false;
        error.redirect({ returnUrl, state: profileDraftState(input) });
        return;
      }
      reportFailure(context, error);
    }
    saveButton.disabled = false;
    saveButton.textContent = 'Save';
  });

  body.replaceChildren(form);
};
