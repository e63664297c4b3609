import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';

export function Loading({ label }: { label: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Skeleton cards keep the layout still while results load. */
export function CardSkeletons({ count = 6 }: { count?: number }) {
  return (
    <div class="cards" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <div class="card skeleton" key={i}>
          <div class="sk-line w60" />
          <div class="sk-line w40" />
          <div class="sk-line w90" />
          <div class="sk-line w80" />
        </div>
      ))}
    </div>
  );
}

export function ErrorBox({ error, retry, children }: { error: unknown; retry?: () => void; children?: ComponentChildren }) {
  const message =
    error instanceof ApiError ? error.message : error instanceof Error ? `Something went wrong: ${error.message}` : String(error);
  return (
    <div class="error-box" role="alert">
      <strong>{error instanceof ApiError && error.status === 404 ? 'Not found' : "That didn't work"}</strong>
      <p>{message}</p>
      {children}
      {retry && (
        <button type="button" class="btn" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <strong>{title}</strong>
      {children}
    </div>
  );
}
