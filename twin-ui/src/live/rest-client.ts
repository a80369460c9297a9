// GET against the edge's REST API with the page's session. Errors come back as text for the UI,
// never as exceptions that would break the live view.
export type RestResult<T> = { ok: true; value: T } | { ok: false; error: string };

export async function getJson<T>(path: string, timeoutMs = 15_000): Promise<RestResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(path, { signal: controller.signal, headers: { accept: 'application/json' } });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: string } | null;
      return { ok: false, error: `${res.status} ${body?.error ?? res.statusText}` };
    }
    return { ok: true, value: (await res.json()) as T };
  } catch (err) {
    return { ok: false, error: controller.signal.aborted ? 'timed out' : String((err as Error).message ?? err) };
  } finally {
    clearTimeout(timer);
  }
}
