/** A child for {@link el}: text is always set as text, never parsed as HTML. */
export type Child = Node | string | null | undefined | false;

export interface ElementProps {
  className?: string;
  /** `data-testid`, the stable hook the end-to-end tests use. */
  testId?: string;
  attrs?: Record<string, string>;
  onClick?: (event: MouseEvent) => void;
}

/**
 * Creates an element. Everything the app shows goes through here or `textContent`, never through
 * `innerHTML`, so a todo title or a claim cannot become markup.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.testId) element.dataset.testid = props.testId;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  if (props.onClick) (element as HTMLElement).addEventListener('click', props.onClick);
  element.append(
    ...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false),
  );
  return element;
}

/** A button that runs `action`, disabled with `busyLabel` while the action's promise is pending. */
export function actionButton(
  label: string,
  props: ElementProps & { busyLabel?: string },
  action: () => Promise<void> | void,
): HTMLButtonElement {
  const button = el('button', { ...props, attrs: { type: 'button', ...props.attrs } }, [label]);
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    if (props.busyLabel) button.textContent = props.busyLabel;
    try {
      await action();
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  return button;
}
