import { useEffect, useState } from 'preact/hooks';
import { api, type Anime } from '../api';

/**
 * Whether the operator lets the page show cover art from other hosts. Null until the server has
 * said: covers wait for the answer (placeholders meanwhile, same size), so a server started with
 * --no-remote-images never has a browser fetch one, even for a moment.
 */
let remoteImages: boolean | null = null;
let asked: Promise<void> | null = null;
const waiting = new Set<(allowed: boolean) => void>();

/** Asks once per page load; main.tsx starts it early so the answer is usually there before any card. */
export function loadPageConfig(): void {
  asked ??= api
    .pageConfig()
    .then(
      (config) => {
        remoteImages = config.remoteImages === true;
      },
      // The page keeps working without the answer; covers stay placeholders.
      () => {
        remoteImages = false;
      },
    )
    .then(() => {
      for (const notify of waiting) notify(remoteImages === true);
      waiting.clear();
    });
}

function useRemoteImages(): boolean {
  const [allowed, setAllowed] = useState(remoteImages === true);
  useEffect(() => {
    if (remoteImages !== null) return setAllowed(remoteImages);
    waiting.add(setAllowed);
    loadPageConfig();
    return () => void waiting.delete(setAllowed);
  }, []);
  return allowed;
}

/**
 * The picture URL when it is a plain http(s) address, else null: a catalogue value is data from
 * elsewhere, and a javascript:, data: or relative URL has no business in an <img> on this page.
 */
export function safeImageUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Up to two letters for the placeholder: the first letters of the first two words ("Cowboy Bebop" → "CB"). */
export function initials(title: string): string {
  const words = title.split(/[\s;:,.!?'"()[\]/\\\-–—_~・]+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letters = words.slice(0, 2).map((w) => Array.from(w.replace(/^[^\p{L}\p{N}]+/u, ''))[0] ?? '');
  return letters.join('').toLocaleUpperCase() || '?';
}

/** Same hue for the same title on every visit, so a placeholder is a steady anchor. */
export function hue(id: number): number {
  return (id * 137.508) % 360;
}

/**
 * Cover art, or a placeholder of the same size (initials and format) when the catalogue has no
 * picture, remote images are off, or the image cannot be loaded (offline, a dead link). The box
 * has a fixed size and aspect ratio either way, so nothing moves when an image arrives or fails.
 */
export function Cover({ anime, size = 'card' }: { anime: Anime; size?: 'card' | 'small' }) {
  const allowed = useRemoteImages();
  const [failed, setFailed] = useState<string | null>(null);
  const name = anime.titleEnglish ?? anime.title;
  const url = allowed ? safeImageUrl(anime.pictureUrl) : null;
  if (url !== null && failed !== url) {
    return (
      <img
        class={`cover cover-${size}`}
        src={url}
        alt={`Cover art: ${name}`}
        loading="lazy"
        decoding="async"
        // The page's URL holds the visitor's list; image hosts need not see it.
        referrerpolicy="no-referrer"
        width={size === 'card' ? 80 : 40}
        height={size === 'card' ? 120 : 60}
        onError={() => setFailed(url)}
      />
    );
  }
  return (
    <div
      class={`cover cover-${size} cover-placeholder`}
      data-cover="placeholder"
      aria-hidden="true"
      style={{ '--hue': String(Math.round(hue(anime.id))) }}
    >
      <span class="cover-initials">{initials(name)}</span>
      {size === 'card' && anime.format && <span class="cover-format">{anime.format}</span>}
    </div>
  );
}
