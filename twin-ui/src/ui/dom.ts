/** Creates an element with a class and optional text; text goes through textContent (no HTML injection). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Sets text only when it changed, so 10 Hz updates do not thrash layout. */
export function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

/** A button that never submits a form by accident (type="button" unless asked), found by tests by its test id. */
export function button(className: string, testid: string, type: 'button' | 'submit' = 'button'): HTMLButtonElement {
  const b = el('button', className);
  b.type = type;
  b.dataset.testid = testid;
  return b;
}
