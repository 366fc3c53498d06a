import { expectOk } from '../app/api-response.js';
import { type Page, reportFailure } from '../app/page.js';
import { el } from '../shell/element.js';
import { card, loadingIndicator, pageHeading } from '../shell/feedback.js';

interface Todo {
  id: string;
  title: string;
  done: boolean;
}

function isTodo(value: unknown): value is Todo {
  if (value === null || typeof value !== 'object') return false;
  const todo = value as Record<string, unknown>;
  return typeof todo.id === 'string' && typeof todo.title === 'string' && typeof todo.done === 'boolean';
}

/** The value the SPA sends in `x-custom-header` on `POST /api/todos`; the API echoes it back. */
const customHeaderValue = 'demo';

/** `/todos`: the user's list; add (with a custom header the API echoes), complete, delete. */
export const todosPage: Page = async (context) => {
  const { root, bff, signal } = context;
  const returnUrl = '/todos';

  const title = el('input', {
    className: 'input',
    testId: 'todo-title',
    attrs: {
      id: 'todo-title',
      type: 'text',
      name: 'title',
      maxlength: '200',
      required: '',
      autocomplete: 'off',
      placeholder: 'What needs doing?',
    },
  });
  const addButton = el(
    'button',
    { className: 'button button-primary', testId: 'todo-add', attrs: { type: 'submit' } },
    ['Add'],
  );
  // Enabled once the list is in: a todo added before would be wiped when the list arrives.
  title.disabled = true;
  addButton.disabled = true;
  const form = el('form', { className: 'todo-form', attrs: { novalidate: '' } }, [
    el('label', { className: 'visually-hidden', attrs: { for: 'todo-title' } }, ['New todo']),
    title,
    addButton,
  ]);
  const echo = el('p', { className: 'small muted echo', attrs: { 'aria-live': 'polite' } });
  echo.hidden = true;
  const progress = el('p', { className: 'small muted todo-progress' });
  const list = el('ul', { className: 'todo-list', attrs: { 'aria-label': 'Todos' } });
  const empty = el('p', { className: 'empty' }, ['Nothing to do yet. Add your first todo above.']);
  const body = el('div', { className: 'card-body' }, [loadingIndicator('Loading your todos…')]);

  root.append(
    pageHeading(
      'Todos',
      'Your list, stored by the demo API. Each new todo is sent with a custom header that the API echoes back.',
    ),
    card(null, [form, echo, body]),
  );

  function refreshCounts(): void {
    const items = Array.from(list.children) as HTMLElement[];
    const done = items.filter((item) => item.dataset.done === 'true').length;
    progress.textContent = items.length === 0 ? '' : `${done} of ${items.length} done`;
    progress.hidden = items.length === 0;
    empty.hidden = items.length > 0;
  }

  function todoItem(todo: Todo): HTMLLIElement {
    const item = el('li', { className: 'todo-item', testId: 'todo-item' });
    const checkbox = el('input', {
      className: 'todo-check',
      testId: 'todo-done',
      attrs: { type: 'checkbox', id: `todo-${todo.id}` },
    });
    const label = el('label', { className: 'todo-label', attrs: { for: `todo-${todo.id}` } }, [todo.title]);
    const remove = el(
      'button',
      {
        className: 'button button-icon',
        testId: 'todo-delete',
        attrs: { type: 'button', 'aria-label': `Delete “${todo.title}”`, title: 'Delete' },
      },
      ['×'],
    );
    const show = (done: boolean) => {
      item.dataset.done = String(done);
      checkbox.checked = done;
    };
    show(todo.done);

    checkbox.addEventListener('change', async () => {
      const wanted = checkbox.checked;
      checkbox.disabled = true;
      context.alert.clear();
      try {
        const response = await expectOk(
          await bff.fetch(`/api/todos/${encodeURIComponent(todo.id)}`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ done: wanted }),
          }),
        );
        const updated: unknown = await response.json();
        show(isTodo(updated) ? updated.done : wanted);
      } catch (error) {
        show(!wanted);
        reportFailure(context, error, { returnUrl });
      } finally {
        checkbox.disabled = false;
        refreshCounts();
      }
    });

    remove.addEventListener('click', async () => {
      remove.disabled = true;
      context.alert.clear();
      try {
        const response = await bff.fetch(`/api/todos/${encodeURIComponent(todo.id)}`, { method: 'DELETE' });
        // Already gone (deleted in another tab) is what the user wanted too.
        if (response.status !== 404) await expectOk(response);
        item.remove();
        refreshCounts();
      } catch (error) {
        remove.disabled = false;
        reportFailure(context, error, { returnUrl });
      }
    });

    item.append(checkbox, label, remove);
    return item;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = title.value.trim();
    if (text === '') {
      title.focus();
      return;
    }
    addButton.disabled = true;
    addButton.textContent = 'Adding…';
    context.alert.clear();
    try {
      const response = await expectOk(
        await bff.fetch('/api/todos', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-custom-header': customHeaderValue },
          body: JSON.stringify({ title: text }),
        }),
      );
      const created: unknown = await response.json();
      if (isTodo(created)) list.append(todoItem(created));
      title.value = '';
      const echoed = response.headers.get('x-custom-header');
      echo.replaceChildren(
        'The API echoed ',
        el('code', {}, ['x-custom-header']),
        ': ',
        el('code', { testId: 'todo-custom-header' }, [echoed ?? '(nothing)']),
      );
      echo.hidden = false;
      refreshCounts();
    } catch (error) {
      reportFailure(context, error, { returnUrl });
    } finally {
      addButton.disabled = false;
      addButton.textContent = 'Add';
      title.focus();
    }
  });

  try {
    const response = await expectOk(await bff.fetch('/api/todos', { signal }));
    const todos: unknown = await response.json();
    if (signal.aborted) return;
    list.replaceChildren(...(Array.isArray(todos) ? todos.filter(isTodo) : []).map(todoItem));
    body.replaceChildren(progress, list, empty);
    refreshCounts();
    title.disabled = false;
    addButton.disabled = false;
  } catch (error) {
    body.replaceChildren();
    reportFailure(context, error);
  }
};
