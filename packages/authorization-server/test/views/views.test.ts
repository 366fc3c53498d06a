import { describe, expect, it } from 'vitest';
import { renderConsentPage } from '../../src/views/consent-page.js';
import { renderErrorPage } from '../../src/views/error-page.js';
import { escapeHtml, html, raw, SafeHtml } from '../../src/views/html.js';
import { renderPage } from '../../src/views/layout.js';
import { renderLoginPage } from '../../src/views/login-page.js';
import { renderLoggedOutPage, renderLogoutConfirmPage } from '../../src/views/logout-pages.js';
import { type ProfilePageOptions, renderProfilePage } from '../../src/views/profile-page.js';
import { renderRegisterPage } from '../../src/views/register-page.js';
import { isSafeHref } from '../../src/views/safe-href.js';
import { describeScope } from '../../src/views/scope-descriptions.js';
import { stylesheet } from '../../src/views/stylesheet.js';

// --- A small tag reader, strict enough to notice markup that escaping should have prevented -------------

interface Tag {
  name: string;
  attributes: Map<string, string>;
  index: number;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' };

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_, name: string) => entities[name] ?? '');
}

/** Every start tag with its attributes (values decoded); throws on a tag it cannot read or a repeated attribute. */
function readTags(markup: string): Tag[] {
  const tags: Tag[] = [];
  const tagStart = /<([a-zA-Z][a-zA-Z0-9-]*)/g;
  const attribute = /\s*(?:(\/?>)|([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?)/y;
  for (let start = tagStart.exec(markup); start !== null; start = tagStart.exec(markup)) {
    const attributes = new Map<string, string>();
    attribute.lastIndex = tagStart.lastIndex;
    for (;;) {
      const at = attribute.lastIndex;
      const match = attribute.exec(markup);
      if (match === null) throw new Error(`unreadable tag: ${markup.slice(start.index, at + 40)}`);
      if (match[1] !== undefined) break;
      const name = (match[2] ?? '').toLowerCase();
      if (attributes.has(name)) throw new Error(`repeated attribute ${name}: ${markup.slice(start.index, at + 40)}`);
      attributes.set(name, decodeEntities(match[3] ?? match[4] ?? match[5] ?? ''));
    }
    tags.push({ name: (start[1] ?? '').toLowerCase(), attributes, index: start.index });
  }
  return tags;
}

/** Each form with the tags inside it. */
function readForms(markup: string): { form: Tag; inside: Tag[] }[] {
  const tags = readTags(markup);
  return tags
    .filter((tag) => tag.name === 'form')
    .map((form) => {
      const end = markup.indexOf('</form>', form.index);
      expect(end).toBeGreaterThan(form.index);
      return { form, inside: tags.filter((tag) => tag.index > form.index && tag.index < end) };
    });
}

/** What must hold for every page, hostile input or not. */
function expectSafeStructure(markup: string): void {
  const tags = readTags(markup);
  for (const tag of tags) {
    expect(['script', 'style', 'iframe', 'object', 'embed', 'base', 'img']).not.toContain(tag.name);
    for (const name of tag.attributes.keys()) {
      expect(name).not.toMatch(/^on/);
      expect(name).not.toBe('style');
    }
  }
  const ids = tags.flatMap((tag) => tag.attributes.get('id') ?? []);
  expect(new Set(ids).size).toBe(ids.length);
}

function expectLabelledInputs(markup: string): void {
  const tags = readTags(markup);
  const byId = new Map(tags.flatMap((tag) => (tag.attributes.has('id') ? [[tag.attributes.get('id'), tag]] : [])));
  const labelTargets = tags.filter((tag) => tag.name === 'label').map((tag) => tag.attributes.get('for'));
  for (const target of labelTargets) {
    expect(target).toBeDefined();
    expect(byId.get(target)?.name).toBe('input');
  }
  for (const input of tags.filter((tag) => tag.name === 'input' && tag.attributes.get('type') !== 'hidden')) {
    expect(labelTargets).toContain(input.attributes.get('id'));
    for (const id of (input.attributes.get('aria-describedby') ?? '').split(' ').filter(Boolean)) {
      expect(byId.has(id)).toBe(true);
    }
  }
}

function expectCsrfInEveryForm(markup: string, token: string): void {
  const forms = readForms(markup);
  expect(forms.length).toBeGreaterThan(0);
  for (const { form, inside } of forms) {
    expect(form.attributes.get('method')).toBe('post');
    const csrf = inside.filter((tag) => tag.name === 'input' && tag.attributes.get('name') === 'csrf');
    expect(csrf).toHaveLength(1);
    expect(csrf[0]?.attributes.get('type')).toBe('hidden');
    expect(csrf[0]?.attributes.get('value')).toBe(token);
  }
}

function inputNamed(markup: string, name: string): Tag | undefined {
  return readTags(markup).find((tag) => tag.name === 'input' && tag.attributes.get('name') === name);
}

// --- Every page, with every interpolated value replaceable --------------------------------------------------

const token = 'csrf-token-123';

const baseProfile: ProfilePageOptions = {
  csrfToken: token,
  account: { email: 'ada@example.test', emailVerified: true, name: 'Ada' },
  consents: [
    { clientId: 'spa', clientName: 'Demo SPA', scopes: ['openid', 'email', 'offline_access'], offline: true },
    { clientId: 'reports', clientName: 'Reports', scopes: ['openid', 'profile'], offline: false },
  ],
  notice: 'Name saved.',
  errors: { name: 'Too long.', currentPassword: 'Wrong password.', newPassword: 'Too short.' },
  hasPassword: true,
  upstreams: [
    { name: 'social', displayName: 'Example Social', linkAction: '/upstream/social/start' },
    {
      name: 'corp',
      displayName: 'Corp ID',
      linkAction: '/upstream/corp/start',
      linked: { label: 'ada@corp.test', needsReconsent: true },
    },
  ],
  paths: {
    updateName: '/profile/name',
    changePassword: '/profile/password',
    revokeConsent: '/profile/revoke',
    logout: '/logout',
    unlinkUpstream: '/profile/unlink',
    deleteAccount: '/profile/delete',
  },
};

const linkedUpstream = (changes: { displayName?: string; label?: string; linkAction?: string }) => [
  {
    name: 'corp',
    displayName: changes.displayName ?? 'Corp ID',
    linkAction: changes.linkAction ?? '/upstream/corp/start',
    linked: { label: changes.label ?? 'ada@corp.test', needsReconsent: true },
  },
];

type Render = (value: string) => string;

/** Page → field → a render with that field set to the given value and everything else benign. */
const pages: Record<string, Record<string, Render>> = {
  login: {
    action: (v) => renderLoginPage({ action: v, csrfToken: token }),
    csrfToken: (v) => renderLoginPage({ action: '/login', csrfToken: v }),
    email: (v) => renderLoginPage({ action: '/login', csrfToken: token, email: v }),
    error: (v) => renderLoginPage({ action: '/login', csrfToken: token, error: v }),
    clientName: (v) => renderLoginPage({ action: '/login', csrfToken: token, clientName: v }),
    registerUrl: (v) => renderLoginPage({ action: '/login', csrfToken: token, registerUrl: `/${v}` }),
    'hidden name': (v) => renderLoginPage({ action: '/login', csrfToken: token, hidden: { [v]: 'x' } }),
    'hidden value': (v) => renderLoginPage({ action: '/login', csrfToken: token, hidden: { state: v } }),
    'upstream displayName': (v) =>
      renderLoginPage({
        action: '/login',
        csrfToken: token,
        upstreams: [{ action: '/upstream/x/start', displayName: v }],
      }),
    'upstream action': (v) =>
      renderLoginPage({ action: '/login', csrfToken: token, upstreams: [{ action: v, displayName: 'X' }] }),
  },
  consent: {
    action: (v) => renderConsentPage({ ...consent(), action: v }),
    csrfToken: (v) => renderConsentPage({ ...consent(), csrfToken: v }),
    clientName: (v) => renderConsentPage({ ...consent(), clientName: v }),
    userEmail: (v) => renderConsentPage({ ...consent(), userEmail: v }),
    'scope name': (v) => renderConsentPage({ ...consent(), scopes: ['openid', v] }),
    'hidden name': (v) => renderConsentPage({ ...consent(), hidden: { [v]: 'x' } }),
    'hidden value': (v) => renderConsentPage({ ...consent(), hidden: { interaction: v } }),
  },
  register: {
    action: (v) => renderRegisterPage({ ...register(), action: v }),
    csrfToken: (v) => renderRegisterPage({ ...register(), csrfToken: v }),
    'values.email': (v) => renderRegisterPage({ ...register(), values: { email: v } }),
    'values.name': (v) => renderRegisterPage({ ...register(), values: { name: v } }),
    'errors.email': (v) => renderRegisterPage({ ...register(), errors: { email: v } }),
    'errors.password': (v) => renderRegisterPage({ ...register(), errors: { password: v } }),
    'errors.name': (v) => renderRegisterPage({ ...register(), errors: { name: v } }),
    'errors.form': (v) => renderRegisterPage({ ...register(), errors: { form: v } }),
    loginUrl: (v) => renderRegisterPage({ ...register(), loginUrl: `/${v}` }),
    'hidden value': (v) => renderRegisterPage({ ...register(), hidden: { return_to: v } }),
  },
  profile: {
    csrfToken: (v) => renderProfilePage({ ...baseProfile, csrfToken: v }),
    'account.email': (v) => renderProfilePage({ ...baseProfile, account: { email: v, emailVerified: false } }),
    'account.name': (v) =>
      renderProfilePage({ ...baseProfile, account: { email: 'a@example.test', emailVerified: true, name: v } }),
    clientId: (v) => renderProfilePage({ ...baseProfile, consents: [{ ...firstConsent(), clientId: v }] }),
    clientName: (v) => renderProfilePage({ ...baseProfile, consents: [{ ...firstConsent(), clientName: v }] }),
    'scope name': (v) => renderProfilePage({ ...baseProfile, consents: [{ ...firstConsent(), scopes: [v] }] }),
    notice: (v) => renderProfilePage({ ...baseProfile, notice: v }),
    'errors.name': (v) => renderProfilePage({ ...baseProfile, errors: { name: v } }),
    'errors.currentPassword': (v) => renderProfilePage({ ...baseProfile, errors: { currentPassword: v } }),
    'errors.newPassword': (v) => renderProfilePage({ ...baseProfile, errors: { newPassword: v } }),
    'paths.updateName': (v) => renderProfilePage({ ...baseProfile, paths: { ...baseProfile.paths, updateName: v } }),
    'paths.changePassword': (v) =>
      renderProfilePage({ ...baseProfile, paths: { ...baseProfile.paths, changePassword: v } }),
    'paths.revokeConsent': (v) =>
      renderProfilePage({ ...baseProfile, paths: { ...baseProfile.paths, revokeConsent: v } }),
    'paths.logout': (v) => renderProfilePage({ ...baseProfile, paths: { ...baseProfile.paths, logout: v } }),
    'paths.unlinkUpstream': (v) =>
      renderProfilePage({ ...baseProfile, paths: { ...baseProfile.paths, unlinkUpstream: v } }),
    'paths.deleteAccount': (v) =>
      renderProfilePage({ ...baseProfile, paths: { ...baseProfile.paths, deleteAccount: v } }),
    'upstream displayName': (v) => renderProfilePage({ ...baseProfile, upstreams: linkedUpstream({ displayName: v }) }),
    'upstream label': (v) => renderProfilePage({ ...baseProfile, upstreams: linkedUpstream({ label: v }) }),
    'upstream linkAction': (v) => renderProfilePage({ ...baseProfile, upstreams: linkedUpstream({ linkAction: v }) }),
    'errors.deleteConfirm': (v) => renderProfilePage({ ...baseProfile, errors: { deleteConfirm: v } }),
  },
  'logout confirm': {
    action: (v) => renderLogoutConfirmPage({ action: v, csrfToken: token }),
    csrfToken: (v) => renderLogoutConfirmPage({ action: '/logout', csrfToken: v }),
    clientName: (v) => renderLogoutConfirmPage({ action: '/logout', csrfToken: token, clientName: v }),
    'hidden value': (v) => renderLogoutConfirmPage({ action: '/logout', csrfToken: token, hidden: { state: v } }),
  },
  'logged out': {
    returnUrl: (v) => renderLoggedOutPage({ returnUrl: `https://app.example.test/?${v}` }),
    clientName: (v) => renderLoggedOutPage({ returnUrl: 'https://app.example.test/', clientName: v }),
  },
  error: {
    title: (v) => renderErrorPage({ title: v, message: 'Something went wrong.' }),
    message: (v) => renderErrorPage({ title: 'Error', message: v }),
    code: (v) => renderErrorPage({ title: 'Error', message: 'Something went wrong.', code: v }),
  },
  layout: {
    title: (v) => renderPage({ title: v, body: html`<p>Hi</p>` }),
    lang: (v) => renderPage({ title: 'T', body: html`<p>Hi</p>`, lang: v }),
  },
};

function consent() {
  return {
    action: '/consent',
    csrfToken: token,
    clientName: 'Demo SPA',
    userEmail: 'ada@example.test',
    scopes: ['openid'],
  };
}
function register() {
  return { action: '/register', csrfToken: token, values: {}, errors: {} };
}
function firstConsent() {
  const [first] = baseProfile.consents;
  if (first === undefined) throw new Error('fixture has a consent');
  return first;
}

/** Hostile values and how they must appear once escaped (written out, not computed with escapeHtml). */
const payloads = [
  ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
  ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
  ["' onmouseover='", '&#39; onmouseover=&#39;'],
] as const;

const fieldCases = Object.entries(pages).flatMap(([page, fields]) =>
  Object.entries(fields).flatMap(([field, render]) =>
    payloads.map(([payload, escaped]) => ({ page, field, render, payload, escaped })),
  ),
);

/** Each page rendered with every optional part present, as plain (benign) data. */
const fullPages: Record<string, string> = {
  login: renderLoginPage({
    action: '/login',
    csrfToken: token,
    email: 'ada@example.test',
    error: 'Wrong email or password.',
    clientName: 'Demo SPA',
    registerUrl: '/register',
    hidden: { interaction: 'abc' },
  }),
  consent: renderConsentPage({
    ...consent(),
    scopes: ['openid', 'profile', 'email', 'offline_access', 'api', 'x:read'],
  }),
  register: renderRegisterPage({
    action: '/register',
    csrfToken: token,
    values: { email: 'ada@example.test', name: 'Ada' },
    errors: {
      email: 'Enter an email address.',
      password: 'Too short.',
      name: 'Too long.',
      form: 'Please check the fields.',
    },
    loginUrl: '/login',
    hidden: { interaction: 'abc' },
  }),
  profile: renderProfilePage(baseProfile),
  'logout confirm': renderLogoutConfirmPage({ action: '/logout', csrfToken: token, clientName: 'Demo SPA' }),
  'logged out': renderLoggedOutPage({ returnUrl: 'https://app.example.test/', clientName: 'Demo SPA' }),
  error: renderErrorPage({ title: 'Unknown client', message: 'This app is not registered.', code: 'invalid_client' }),
};
const pagesWithForms = ['login', 'consent', 'register', 'profile', 'logout confirm'];

// --- Tests ---------------------------------------------------------------------------------------------------

describe('html', () => {
  it('escapes the five HTML specials and the backtick', () => {
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
  });

  it('escapes interpolated strings but not SafeHtml, joins arrays and drops undefined, null and false', () => {
    const items = ['<a>', 'b'].map((item) => html`<li>${item}</li>`);
    const result = html`<ul>${items}</ul>${undefined}${null}${false}${raw('<hr>')}${'<b>'}${0}`;
    expect(result).toBeInstanceOf(SafeHtml);
    expect(String(result)).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul><hr>&lt;b&gt;0');
  });
});

describe('every page escapes every interpolated value', () => {
  it.each(fieldCases)('$page: $field = $payload', ({ render, payload, escaped }) => {
    const markup = render(payload);
    expect(markup).not.toContain(payload);
    expect(markup).toContain(escaped);
    expectSafeStructure(markup);
  });

  it('gives back hidden values exactly as given', () => {
    const [payload] = payloads[1];
    const markup = renderLoginPage({ action: '/login', csrfToken: payload, hidden: { [payload]: payload } });
    expect(
      readTags(markup)
        .find((tag) => tag.attributes.get('name') === payload)
        ?.attributes.get('value'),
    ).toBe(payload);
    expect(inputNamed(markup, 'csrf')?.attributes.get('value')).toBe(payload);
  });
});

describe.each(Object.entries(fullPages))('the %s page', (_, markup) => {
  it('is a complete document with the one stylesheet and no inline script, style or event handler', () => {
    expect(markup.startsWith('<!doctype html>')).toBe(true);
    expect(markup).not.toMatch(/<script/i);
    expect(markup).not.toMatch(/<style/i);
    expect(markup).not.toContain('style=');
    expect(markup).not.toMatch(/\son[a-z]+\s*=/i);
    expect(markup).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(markup).toContain('<meta name="referrer" content="no-referrer">');
    const links = readTags(markup).filter((tag) => tag.name === 'link');
    expect(links.map((tag) => Object.fromEntries(tag.attributes))).toEqual([
      { rel: 'stylesheet', href: '/assets/gatehouse.css' },
    ]);
    expectSafeStructure(markup);
  });

  it('labels every visible input, and each label and description points at something that exists', () => {
    expectLabelledInputs(markup);
  });

  it('uses only classes the stylesheet defines', () => {
    const classes = readTags(markup).flatMap((tag) => (tag.attributes.get('class') ?? '').split(' ').filter(Boolean));
    expect([...new Set(classes)].filter((name) => !stylesheet.includes(`.${name}`))).toEqual([]);
  });
});

describe.each(pagesWithForms)('the %s page forms', (page) => {
  it('all POST and each carries exactly one csrf hidden input with the token', () => {
    expectCsrfInEveryForm(fullPages[page] ?? '', token);
  });
});

describe('login page', () => {
  it('shows the error in an alert before the fields, and never echoes a password', () => {
    const markup = fullPages.login ?? '';
    const tags = readTags(markup);
    const alert = tags.find((tag) => tag.attributes.get('role') === 'alert');
    expect(alert).toBeDefined();
    expect(alert?.index).toBeLessThan(inputNamed(markup, 'email')?.index ?? 0);
    expect(Object.fromEntries(inputNamed(markup, 'email')?.attributes ?? [])).toMatchObject({
      type: 'email',
      autocomplete: 'username',
      value: 'ada@example.test',
      required: '',
    });
    const password = inputNamed(markup, 'password');
    expect(password?.attributes.get('type')).toBe('password');
    expect(password?.attributes.get('autocomplete')).toBe('current-password');
    expect(password?.attributes.has('value')).toBe(false);
    expect(inputNamed(markup, 'interaction')?.attributes.get('value')).toBe('abc');
  });

  it('has no alert and no register link when none are given', () => {
    const markup = renderLoginPage({ action: '/login', csrfToken: token });
    expect(readTags(markup).some((tag) => tag.attributes.get('role') === 'alert')).toBe(false);
    expect(readTags(markup).some((tag) => tag.name === 'a')).toBe(false);
  });
});

describe('consent page', () => {
  const decisions = (markup: string) =>
    readForms(markup).flatMap(({ inside }) =>
      inside.filter((tag) => tag.name === 'button').map((tag) => tag.attributes.get('value')),
    );

  it('offers allow and deny in the one form that carries the token', () => {
    expect(readForms(fullPages.consent ?? '')).toHaveLength(1);
    expect(decisions(fullPages.consent ?? '')).toEqual(['allow', 'deny']);
  });

  it('describes each known scope in plain words and shows an unknown one by name in <code>', () => {
    const markup = fullPages.consent ?? '';
    for (const scope of ['openid', 'profile', 'email', 'api']) expect(markup).toContain(describeScope(scope));
    expect(markup).toContain('<code>x:read</code>');
  });

  it('shows the offline-access notice only when offline_access is asked for', () => {
    const offlineWords = describeScope('offline_access') ?? 'missing';
    const withOffline = renderConsentPage({ ...consent(), scopes: ['openid', 'offline_access'] });
    const without = renderConsentPage({ ...consent(), scopes: ['openid', 'profile', 'email', 'api'] });
    expect(withOffline).toContain('offline-notice');
    expect(withOffline).toContain(escapeHtml(offlineWords));
    expect(without).not.toContain('offline-notice');
    expect(without).not.toContain(escapeHtml(offlineWords));
  });
});

describe('register page', () => {
  it('keeps email and name after an error but never the password', () => {
    const values = { email: 'ada@example.test', name: 'Ada', password: 'correct horse battery' };
    const markup = renderRegisterPage({ action: '/register', csrfToken: token, values, errors: { password: 'x' } });
    expect(inputNamed(markup, 'email')?.attributes.get('value')).toBe('ada@example.test');
    expect(inputNamed(markup, 'name')?.attributes.get('value')).toBe('Ada');
    expect(inputNamed(markup, 'password')?.attributes.has('value')).toBe(false);
    expect(markup).not.toContain('correct horse battery');
  });

  it('marks each field in error invalid and points it at its error text', () => {
    const markup = fullPages.register ?? '';
    const tags = readTags(markup);
    for (const name of ['name', 'email', 'password']) {
      const input = inputNamed(markup, name);
      expect(input?.attributes.get('aria-invalid')).toBe('true');
      const describedBy = (input?.attributes.get('aria-describedby') ?? '').split(' ');
      const error = tags.find(
        (tag) => tag.attributes.get('class') === 'field-error' && describedBy.includes(tag.attributes.get('id') ?? '-'),
      );
      expect(error).toBeDefined();
    }
    expect(inputNamed(markup, 'password')?.attributes.get('autocomplete')).toBe('new-password');
    expect(inputNamed(markup, 'email')?.attributes.get('autocomplete')).toBe('email');
  });

  it('marks nothing invalid without errors', () => {
    const markup = renderRegisterPage(register());
    expect(markup).not.toContain('aria-invalid');
    expect(markup).not.toContain('field-error');
  });
});

describe('profile page', () => {
  it('has a revoke form per app naming its client_id, and the offline badge only where offline', () => {
    const markup = fullPages.profile ?? '';
    const revokeForms = readForms(markup).filter(({ form }) => form.attributes.get('action') === '/profile/revoke');
    expect(
      revokeForms.map(({ inside }) =>
        inside.find((tag) => tag.attributes.get('name') === 'client_id')?.attributes.get('value'),
      ),
    ).toEqual(['spa', 'reports']);
    expect(markup.match(/Offline access/g)).toHaveLength(1);
    expect(markup.indexOf('Offline access')).toBeLessThan(markup.indexOf('Reports'));
    expect(markup).toContain(describeScope('email'));
  });

  it('posts each form to its path and never fills a password field', () => {
    const markup = fullPages.profile ?? '';
    const actions = readForms(markup).map(({ form }) => form.attributes.get('action'));
    expect(actions).toEqual([
      '/profile/name',
      '/profile/password',
      '/upstream/social/start',
      '/upstream/corp/start',
      '/profile/unlink',
      '/profile/revoke',
      '/profile/revoke',
      '/profile/delete',
      '/logout',
    ]);
    expect(inputNamed(markup, 'current_password')?.attributes.has('value')).toBe(false);
    expect(inputNamed(markup, 'new_password')?.attributes.has('value')).toBe(false);
    expect(inputNamed(markup, 'name')?.attributes.get('value')).toBe('Ada');
  });

  it('says whether the email is verified', () => {
    const unverified = renderProfilePage({
      ...baseProfile,
      account: { email: 'a@example.test', emailVerified: false },
      upstreams: [],
    });
    expect(fullPages.profile).toContain('badge-ok');
    expect(unverified).toContain('badge-warn');
    expect(unverified).not.toContain('badge-ok');
  });
});

describe('logout pages', () => {
  it('asks with logout and stay decisions', () => {
    const buttons = readTags(fullPages['logout confirm'] ?? '').filter((tag) => tag.name === 'button');
    expect(buttons.map((tag) => [tag.attributes.get('name'), tag.attributes.get('value')])).toEqual([
      ['decision', 'logout'],
      ['decision', 'stay'],
    ]);
  });

  it('links back only to an http(s) URL or a path on this server', () => {
    const hrefs = (returnUrl: string) =>
      readTags(renderLoggedOutPage({ returnUrl })).flatMap((tag) =>
        tag.name === 'a' ? [tag.attributes.get('href')] : [],
      );
    expect(hrefs('https://app.example.test/bye')).toEqual(['https://app.example.test/bye']);
    expect(hrefs('/signed-out')).toEqual(['/signed-out']);
    expect(hrefs('javascript:alert(1)')).toEqual([]);
    expect(hrefs(' JavaScript:alert(1)')).toEqual([]);
    expect(hrefs('data:text/html,<b>x</b>')).toEqual([]);
    expect(hrefs('//evil.test/')).toEqual([]);
    expect(hrefs('/\\evil.test/')).toEqual([]);
    expect(hrefs('/\t/evil.test/')).toEqual([]);
    expect(readTags(renderLoggedOutPage({})).some((tag) => tag.name === 'a')).toBe(false);
  });
});

describe('error page', () => {
  it('has no links at all and shows the code in <code>', () => {
    const markup = fullPages.error ?? '';
    expect(readTags(markup).some((tag) => tag.name === 'a' || tag.name === 'form')).toBe(false);
    expect(markup).toContain('<code>invalid_client</code>');
  });
});

describe('scope descriptions', () => {
  it('knows only our scopes, not names inherited from Object.prototype', () => {
    expect(describeScope('profile')).toBeTypeOf('string');
    for (const scope of ['constructor', '__proto__', 'toString', 'x:read'])
      expect(describeScope(scope)).toBeUndefined();
  });
});

describe('hidden fields', () => {
  it('refuses a hidden entry named csrf, which would give the form two tokens', () => {
    expect(() => renderLoginPage({ action: '/login', csrfToken: token, hidden: { csrf: 'other' } })).toThrow(TypeError);
  });
});

describe('stylesheet', () => {
  it('stays under 4 KB and has what the pages rely on', () => {
    expect(new TextEncoder().encode(stylesheet).length).toBeLessThan(4096);
    for (const needle of [
      '.field-error',
      '.alert-error',
      '.alert-info',
      ':focus-visible',
      'prefers-color-scheme: dark',
    ]) {
      expect(stylesheet).toContain(needle);
    }
  });

  it('is plain CSS with no way to load anything else', () => {
    expect(stylesheet).not.toMatch(/@import|url\(|expression\(/i);
  });
});

describe('safe hrefs', () => {
  it.each([
    ['https://app.example.test/', true],
    ['http://localhost:5173/', true],
    ['/register?x=1', true],
    ['javascript:alert(1)', false],
    ['vbscript:x', false],
    ['//evil.test', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isSafeHref(url)).toBe(expected);
  });
});
