import { html, type SafeHtml } from './html.js';

/** One labelled input. Ids are given by the page, which knows what else it holds. */
export interface FieldOptions {
  id: string;
  name: string;
  label: string;
  type: 'text' | 'email' | 'password';
  autocomplete: string;
  /** Never given for passwords: a password is not sent back to the browser. */
  value?: string | undefined;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean | undefined;
}

/**
 * Label, input, its error right below it, then the hint. The input points at the error and hint with
 * `aria-describedby`, so a screen reader reads them with the field rather than somewhere on the page.
 */
export function renderField(field: FieldOptions): SafeHtml {
  const hintId = `${field.id}-hint`;
  const errorId = `${field.id}-error`;
  const describedBy = [field.error !== undefined && errorId, field.hint !== undefined && hintId]
    .filter((id) => id !== false)
    .join(' ');
  return html`<div class="field">
<label for="${field.id}">${field.label}</label>
<input id="${field.id}" name="${field.name}" type="${field.type}" autocomplete="${field.autocomplete}"${
    field.type !== 'password' && field.value !== undefined && html` value="${field.value}"`
  }${field.required === true && html` required`}${field.error !== undefined && html` aria-invalid="true"`}${
    describedBy !== '' && html` aria-describedby="${describedBy}"`
  }>
${field.error !== undefined && html`<p class="field-error" id="${errorId}">${field.error}</p>`}
${field.hint !== undefined && html`<p class="field-hint" id="${hintId}">${field.hint}</p>`}
</div>`;
}

/**
 * The CSRF token and whatever the route needs echoed back (the pending authorization request, say).
 * A `hidden` entry named `csrf` would give the form two tokens, so it is refused as a caller's mistake.
 */
export function renderHiddenFields(csrfToken: string, hidden: Readonly<Record<string, string>> = {}): SafeHtml {
  if (Object.hasOwn(hidden, 'csrf')) throw new TypeError('views: a hidden field may not be named csrf');
  return html`<input type="hidden" name="csrf" value="${csrfToken}">
${Object.entries(hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}`;
}
