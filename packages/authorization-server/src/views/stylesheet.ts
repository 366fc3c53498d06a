/**
 * The one stylesheet, served from `/assets/gatehouse.css` because the CSP allows styles from `'self'`
 * only. Kept under 4 KB: it is on the critical path of every sign-in.
 */
export const stylesheet = `:root {
  color-scheme: light dark;
  --bg: #f3f4f6; --card: #fff; --text: #1b2130; --muted: #5a6375; --line: #d3d8e0;
  --accent: #2b59c3; --on-accent: #fff; --focus: #2b59c3;
  --error: #b42318; --error-bg: #fdeceb; --info-bg: #e9f0fd; --warn: #7a4f00; --warn-bg: #fff4db;
  --ok: #136c3a; --ok-bg: #e3f4e9;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #101318; --card: #1a1e25; --text: #e5e7eb; --muted: #9aa3b2; --line: #343a46;
    --accent: #7ea2ff; --on-accent: #0c1222; --focus: #a5beff;
    --error: #ff9189; --error-bg: #3b1c1a; --info-bg: #1a2742; --warn: #ffcf70; --warn-bg: #372c12;
    --ok: #80d8a0; --ok-bg: #15301f;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
.site-header { max-width: 26rem; margin: 0 auto; padding: 1.25rem 1rem .5rem; }
.brand { font-weight: 700; letter-spacing: .02em; }
.card {
  max-width: 26rem; margin: 0 auto 2rem; padding: 1.5rem 1.25rem;
  background: var(--card); border: 1px solid var(--line); border-radius: 12px;
}
@media (max-width: 27rem) { .card { border-radius: 0; border-width: 1px 0; } }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.125rem; margin: 0 0 .75rem; }
h3 { font-size: 1rem; margin: 0; }
p { margin: 0 0 1rem; }
a { color: var(--accent); }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
.subtitle, .muted, .field-hint { color: var(--muted); }
.field { margin: 0 0 1rem; }
.field label { display: block; font-weight: 600; margin: 0 0 .25rem; }
.field input {
  display: block; width: 100%; padding: .625rem .75rem; font: inherit; color: inherit;
  background: var(--card); border: 1px solid var(--line); border-radius: 8px;
}
.field input[aria-invalid="true"] { border-color: var(--error); }
.field-error { color: var(--error); font-size: .9rem; margin: .25rem 0 0; }
.field-hint { font-size: .875rem; margin: .25rem 0 0; }
:focus-visible, .field input:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1.5rem 0 1rem; }
.button {
  flex: 1 1 8rem; padding: .625rem 1rem; font: inherit; font-weight: 600; cursor: pointer;
  border-radius: 8px; border: 1px solid var(--accent);
}
.button-primary { background: var(--accent); color: var(--on-accent); }
.button-secondary { background: transparent; color: var(--accent); }
.alert { padding: .75rem 1rem; border-radius: 8px; border-left: 4px solid; margin: 0 0 1rem; }
.alert-error { background: var(--error-bg); border-color: var(--error); }
.alert-info { background: var(--info-bg); border-color: var(--accent); }
.alert-warning { background: var(--warn-bg); border-color: var(--warn); }
.alert p { margin: 0; }
.offline-notice strong { display: block; }
.scope-list { margin: 0 0 1rem; padding: 0; list-style: none; }
.scope-list li { padding: .5rem 0 .5rem 1.5rem; border-bottom: 1px solid var(--line); position: relative; }
.scope-list li::before { content: "\\2713"; position: absolute; left: 0; color: var(--ok); }
.badge {
  display: inline-block; font-size: .75rem; font-weight: 600; padding: .1rem .5rem;
  border-radius: 999px; vertical-align: middle;
}
.badge-ok { background: var(--ok-bg); color: var(--ok); }
.badge-warn { background: var(--warn-bg); color: var(--warn); }
.section { border-top: 1px solid var(--line); padding-top: 1.25rem; margin-top: 1.25rem; }
.app-list { list-style: none; margin: 0; padding: 0; }
.app { padding: .75rem 0; border-bottom: 1px solid var(--line); }
.app:last-child { border-bottom: 0; }
.app-header { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 0 0 .5rem; }
.app .actions { margin: .5rem 0 0; }
.error-code { font-size: .8rem; color: var(--muted); }
.divider{display:flex;align-items:center;gap:.75rem;margin:1rem 0}
.divider::before,.divider::after{content:"";flex:1;border-top:1px solid var(--line)}
.button-block{display:block;width:100%;margin:0 0 .5rem}
`;
