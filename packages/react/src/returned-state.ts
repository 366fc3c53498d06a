import type { AppState } from '@gatehouse/browser';
import { useGatehouseContext } from './context.js';

/**
 * The app state the last sign-in handed back (`login({ state })`, `RequireAuth`'s `state`,
 * `LoginRequiredError.redirect({ state })`, or a public client's `signIn({ state })`), or `undefined`.
 * Safe in any render: the client's one-time state is taken once per page and
 * kept, so a render React repeats (StrictMode, an interrupted concurrent render) reads the same value.
 *
 * @example
 * const returned = useReturnedState<{ draft: string }>();
 * const [draft, setDraft] = useState(returned?.draft ?? '');
 */
export function useReturnedState<State extends AppState = AppState>(): State | undefined {
  return useGatehouseContext('useReturnedState()').adapter.returnedState() as State | undefined;
}
