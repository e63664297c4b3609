import { useEffect, useState } from 'preact/hooks';
import { api, type Profile } from '../api';
import { EraColumns, ScoreHistogram, ShareBars } from '../components/Charts';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { forYouUrl, sourceFrom, titleEntries } from '../state';

/** The taste profile of the list in the URL: a stored user, or the titles a visitor picked. */
export function ProfilePage({ params }: { params: URLSearchParams }) {
  const source = sourceFrom(params);
  const key = params.toString();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setProfile(null);
    setError(null);
    const job =
      source.kind === 'user' ? api.userProfile(source.user) : source.kind === 'titles' ? api.titlesProfile(titleEntries(source)) : null;
    job?.then(
      (p) => live && setProfile(p),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [key]);

  if (source.kind !== 'user' && source.kind !== 'titles') {
    return (
      <Empty title="No list to profile yet">
        <p>
          A taste profile is drawn from titles you watched. Add some on the <a href="/start">start page</a>, or bring your MyAnimeList or
          AniList list.
        </p>
      </Empty>
    );
  }
  const who = source.kind === 'user' ? source.user : 'your picks';
  return (
    <section aria-labelledby="profile-title">
      <div class="page-head">
        <div>
          <h1 id="profile-title">Taste profile</h1>
          <p class="muted">Of {who}. Shares are weighted by how much each title was liked; × is how much more than the average user.</p>
        </div>
        <div class="head-actions">
          <a class="btn primary" href={forYouUrl(source)}>
            Recommendations
          </a>
        </div>
      </div>
      {error ? (
        <ErrorBox error={error} />
      ) : !profile ? (
        <Loading label="Reading the list…" />
      ) : (
        <>
          <dl class="stats">
            <div>
              <dt>Titles</dt>
              <dd>{profile.listed}</dd>
            </div>
            <div>
              <dt>Scored</dt>
              <dd>{profile.scored}</dd>
            </div>
            <div>
              <dt>Mean score</dt>
              <dd>{profile.meanScore === null ? '–' : profile.meanScore.toFixed(1)}</dd>
            </div>
            <div>
              <dt>Top genre</dt>
              <dd>{profile.favourites.genres[0]?.name ?? '–'}</dd>
            </div>
          </dl>
          {profile.differences.length > 0 && (
            <ul class="differences" aria-label="How this taste differs from the average user">
              {profile.differences.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
          <div class="charts">
            <ShareBars title="Genres" shares={profile.favourites.genres} empty="No genres among the titles liked." />
            <ShareBars title="Studios" shares={profile.favourites.studios} empty="The catalogue knows no studios for these titles." />
            <ScoreHistogram counts={profile.scoreDistribution} mean={profile.meanScore} average={profile.averageUserMeanScore} />
            <EraColumns eras={profile.eras} />
            <ShareBars title="Themes" shares={profile.favourites.themes} empty="No themes among the titles liked." />
            <ShareBars title="Formats" shares={profile.formats} empty="No formats known." />
          </div>
        </>
      )}
    </section>
  );
}
