import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Tags } from './api';
import { loadPageConfig } from './components/Cover';
import { ForYouPage } from './pages/ForYou';
import { HealthPage } from './pages/Health';
import { ProfilePage } from './pages/Profile';
import { SimilarPage } from './pages/Similar';
import { StartPage } from './pages/Start';
import { HEALTH_REPORT_PATH, onLinkClick, useLocation } from './router';
import { forYouUrl, sourceFrom, sourceParams } from './state';
import './styles.css';

function NotFound() {
  return (
    <div class="empty">
      <strong>No page here</strong>
      <p>
        Go to the <a href="/">start page</a>.
      </p>
    </div>
  );
}

function App() {
  const { path, params } = useLocation();
  // The tag vocabulary feeds the filter pickers on every results page; one request per visit.
  const [tags, setTags] = useState<Tags | null>(null);
  useEffect(() => {
    api.tags().then(setTags, () => setTags(null));
    loadPageConfig();
  }, []);
  // Move focus to the new page's heading so screen readers announce the navigation.
  const [firstPath] = useState(path);
  useEffect(() => {
    if (path === firstPath) return; // on first load the page decides (the search box takes focus)
    const h1 = document.querySelector<HTMLElement>('main h1');
    h1?.setAttribute('tabindex', '-1');
    h1?.focus({ preventScroll: true });
  }, [path]);

  const similar = /^\/similar\/(\d+)$/.exec(path);
  let page;
  if (path === '/' || path === '/start') page = <StartPage params={params} />;
  else if (path === '/for-you') page = <ForYouPage params={params} tags={tags} />;
  else if (path === '/profile') page = <ProfilePage params={params} />;
  else if (similar) page = <SimilarPage id={Number(similar[1])} params={params} tags={tags} />;
  // Not /health/...: those paths are the API's liveness and readiness probes.
  else if (path === HEALTH_REPORT_PATH) page = <HealthPage params={params} />;
  else page = <NotFound />;

  // The results page also stores this, but only after it renders; the current URL wins.
  const last = path === '/for-you' ? `/for-you?${params}` : sessionStorage.getItem('anirec:last');
  const lastSource = path === '/profile' ? sourceFrom(params) : last ? sourceFrom(new URLSearchParams(last.split('?')[1] ?? '')) : null;
  const current = (href: string) => (path === href ? 'page' : undefined);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a href="/" class="logo" aria-label="anirec home">
          <span aria-hidden="true">◆</span> anirec
        </a>
        <nav aria-label="Main">
          <a href="/start" aria-current={current('/start') ?? current('/')}>
            Start
          </a>
          {(last || lastSource?.kind === 'titles' || lastSource?.kind === 'user') && (
            <a href={last ?? forYouUrl(lastSource!)} aria-current={current('/for-you')}>
              For you
            </a>
          )}
          {lastSource && (lastSource.kind === 'titles' || lastSource.kind === 'user') && (
            <a href={`/profile?${sourceParams(lastSource)}`} aria-current={current('/profile')}>
              Profile
            </a>
          )}
          <a href={HEALTH_REPORT_PATH} aria-current={current(HEALTH_REPORT_PATH)}>
            Model health
          </a>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <footer class="foot">
        <p>
          anirec · open-source anime recommendations · data from MyAnimeList via public datasets · <a href="/docs">HTTP API</a>
        </p>
      </footer>
    </>
  );
}

document.addEventListener('click', onLinkClick);
render(<App />, document.getElementById('app')!);
