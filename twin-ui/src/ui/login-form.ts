// The twin's own login dialog: user name + password → POST api/login. The edge answers with a
// token and sets it as an HttpOnly session cookie; the live connection (Socket.IO handshake)
// and the REST reads present that cookie, so after a login the page reconnects by reloading
// — the new session then arrives over the live connection like any other.
import { ApiErrorSchema, LoginResponseSchema, type LoginResponse, type Session } from '../../../shared/auth-api.js';
import { t } from '../i18n.js';
import { button, el, setText } from './dom.js';

export interface LoginForm {
  /** Shows the dialog; `cancellable` is false when there is no session to go back to. */
  open(options: { cancellable: boolean; reason?: string | null }): void;
  close(): void;
  readonly isOpen: boolean;
  /** Demo accounts to offer (from the demo session); none outside demo mode. */
  setDemoAccounts(accounts: NonNullable<Session['demo']>['accounts']): void;
  relabel(): void;
}

export type LoginResult = { ok: true; answer: LoginResponse } | { ok: false; error: string };

/** POST api/login; the refusal's message (wrong password, rate-limited…) is what the user sees. */
export async function postLogin(username: string, password: string): Promise<LoginResult> {
  try {
    const res = await fetch('api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const parsed = ApiErrorSchema.safeParse(body);
      return { ok: false, error: parsed.success ? parsed.data.error : `${res.status} ${res.statusText}` };
    }
    const parsed = LoginResponseSchema.safeParse(body);
    return parsed.success ? { ok: true, answer: parsed.data } : { ok: false, error: 'the edge sent an unexpected login answer' };
  } catch (err) {
    return { ok: false, error: `${t('loginUnreachable')}: ${(err as Error).message}` };
  }
}

export function createLoginForm(host: HTMLElement, onLoggedIn: (answer: LoginResponse) => void): LoginForm {
  const backdrop = el('div', 'login-backdrop');
  backdrop.hidden = true;
  const form = el('form', 'login-form');
  form.dataset.testid = 'login-form';
  form.noValidate = false;
  const title = el('h2', 'login-title');
  const reasonText = el('p', 'login-reason');
  const userLabel = el('label', 'login-field');
  const userText = el('span');
  const user = el('input');
  user.name = 'username';
  user.autocomplete = 'username';
  user.required = true;
  user.dataset.testid = 'login-username';
  userLabel.append(userText, user);
  const passLabel = el('label', 'login-field');
  const passText = el('span');
  const pass = el('input');
  pass.name = 'password';
  pass.type = 'password';
  pass.autocomplete = 'current-password';
  pass.required = true;
  pass.dataset.testid = 'login-password';
  passLabel.append(passText, pass);
  const error = el('p', 'login-error');
  error.setAttribute('role', 'alert');
  error.dataset.testid = 'login-error';
  const buttons = el('div', 'login-buttons');
  const submit = button('login-submit', 'login-submit', 'submit');
  const cancel = button('login-cancel', 'login-cancel');
  buttons.append(cancel, submit);
  const demo = el('div', 'login-demo');
  demo.hidden = true;
  const demoText = el('span', 'login-demo-text');
  const demoList = el('span', 'login-demo-list');
  demo.append(demoText, demoList);
  form.append(title, reasonText, userLabel, passLabel, error, buttons, demo);
  backdrop.append(form);
  host.append(backdrop);

  let busy = false;
  cancel.addEventListener('click', () => api.close());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    busy = true;
    submit.disabled = true;
    setText(error, '');
    const result = await postLogin(user.value.trim(), pass.value);
    busy = false;
    submit.disabled = false;
    if (!result.ok) {
      setText(error, result.error);
      pass.select();
      return;
    }
    pass.value = '';
    onLoggedIn(result.answer);
  });

  const relabel = () => {
    setText(title, t('loginTitle'));
    setText(userText, t('username'));
    setText(passText, t('password'));
    setText(submit, t('logIn'));
    setText(cancel, t('cancel'));
    setText(demoText, `${t('demoAccounts')}: `);
  };
  relabel();

  const api: LoginForm = {
    open({ cancellable, reason }) {
      cancel.hidden = !cancellable;
      reasonText.hidden = !reason;
      setText(reasonText, reason ?? '');
      setText(error, '');
      backdrop.hidden = false;
      user.focus();
    },
    close() {
      backdrop.hidden = true;
      setText(error, '');
    },
    get isOpen() {
      return !backdrop.hidden;
    },
    setDemoAccounts(accounts) {
      // Published demo passwords: one click fills the form, so a visitor can try every role.
      demoList.replaceChildren(...accounts.map((a) => {
        const b = el('button', 'login-demo-account', a.username);
        b.type = 'button';
        b.dataset.account = a.username;
        b.addEventListener('click', () => {
          user.value = a.username;
          pass.value = a.password;
          pass.focus();
        });
        return b;
      }));
      demo.hidden = accounts.length === 0;
    },
    relabel,
  };
  return api;
}
