import { useEffect, useState } from 'preact/hooks';

/** A few client routes do not need a router library: the History API and one event. */
const EVENT = 'anirec:navigate';

/** The model-health page. Not under /health/, which belongs to the API's probes (/health/live, /health/ready). */
export const HEALTH_REPORT_PATH = '/health-report';

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new Event(EVENT));
  if (!options.replace) window.scrollTo(0, 0);
}

export interface Location {
  path: string;
  params: URLSearchParams;
}

function current(): Location {
  return { path: location.pathname, params: new URLSearchParams(location.search) };
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    addEventListener('popstate', update);
    addEventListener(EVENT, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(EVENT, update);
    };
  }, []);
  return loc;
}

/** Same-origin links navigate on the client; modified clicks (new tab) keep the browser's behaviour. */
export function onLinkClick(event: MouseEvent): void {
  const a = (event.target as HTMLElement).closest('a');
  if (!a || a.target || a.origin !== location.origin || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  if (a.pathname.startsWith('/v1/') || a.pathname.startsWith('/docs')) return;
  event.preventDefault();
  navigate(a.pathname + a.search);
}
