import { LoginRequiredError } from '@gatehouse/browser';
import { useAuthorizedFetch, useReturnedState } from '@gatehouse/react';
import { useCallback, useEffect, useState } from 'react';

export function Todos() {
  // The BFF client's fetch: the session cookie and x-csrf go along, the BFF attaches the access token.
  const api = useAuthorizedFetch();
  const [todos, setTodos] = useState();
  // A draft saved before a sign-in comes back (see the LoginRequiredError below).
  const returned = useReturnedState();
  const [draft, setDraft] = useState(returned?.draft ?? '');
  const [problem, setProblem] = useState();

  /** Calls the API; a session that ended meanwhile signs in again, keeping `keep` for the way back. */
  const call = useCallback(
    async (path, init, keep) => {
      try {
        const response = await api(path, init);
        if (!response.ok) throw new Error(`the API answered ${response.status}`);
        return await response.json();
      } catch (error) {
        if (error instanceof LoginRequiredError) error.redirect({ state: keep });
        else setProblem(String(error.message ?? error));
      }
    },
    [api],
  );

  useEffect(() => {
    call('/api/todos').then((list) => list && setTodos(list));
  }, [call]);

  async function add(event) {
    event.preventDefault();
    const created = await call(
      '/api/todos',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: draft }),
      },
      { draft },
    );
    if (created) {
      setTodos((list) => [...(list ?? []), created]);
      setDraft('');
    }
  }

  return (
    <section>
      <h1>Todos</h1>
      {problem && <p role="alert">{problem}</p>}
      {todos === undefined ? (
        <p>Loading…</p>
      ) : (
        <ul id="todos">
          {todos.map((todo) => (
            <li key={todo.id}>{todo.title}</li>
          ))}
        </ul>
      )}
      <form onSubmit={add}>
        <input id="draft" value={draft} onChange={(event) => setDraft(event.target.value)} required />
        <button id="add" type="submit">
          Add
        </button>
      </form>
    </section>
  );
}
