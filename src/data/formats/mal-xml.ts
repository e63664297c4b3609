import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DataFileError } from '../errors.js';
import { badValueMessage, decodeHtmlEntities, MAX_USER_ID_LENGTH, parseInteger } from '../fields.js';
import type { ImportChunk, Interaction, ListStatus, RowProblem } from '../types.js';
import type { DataFormat } from './format.js';

/** MAL writes statuses as text in exports (numbers in some older ones). */
const STATUS_BY_TEXT: Record<string, ListStatus> = {
  watching: 'watching',
  completed: 'completed',
  'on-hold': 'on_hold',
  'on hold': 'on_hold',
  dropped: 'dropped',
  'plan to watch': 'plan_to_watch',
  '1': 'watching',
  '2': 'completed',
  '3': 'on_hold',
  '4': 'dropped',
  '6': 'plan_to_watch',
};

type XmlValue = string | number | undefined;
interface XmlAnime {
  [element: string]: XmlValue;
}

const text = (value: XmlValue): string => (value === undefined ? '' : String(value).trim());

/** 1-based line of each `<anime>` element, so problems point into the file a person can open. */
function animeElementLines(xml: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let scanned = 0;
  for (let at = xml.indexOf('<anime>'); at >= 0; at = xml.indexOf('<anime>', at + 7)) {
    for (let i = scanned; i < at; i++) if (xml.charCodeAt(i) === 10) line++;
    scanned = at;
    lines.push(line);
  }
  return lines;
}

/** A finish date "2020-03-14" as epoch ms; MAL writes 0000-00-00 for unknown. */
function finishDate(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match || match[1] === '0000') return null;
  const ms = Date.UTC(Number(match[1]), Math.max(0, Number(match[2]) - 1), Math.max(1, Number(match[3])));
  return Number.isFinite(ms) ? ms : null;
}

/**
 * A user's list as MyAnimeList exports it (Profile → Export → Anime List, an .xml.gz file):
 * `<myanimelist><myinfo>…<user_name>` then one `<anime>` per entry. Exports are at most a few
 * MB, so the file is parsed whole.
 */
export const malXmlFormat: DataFormat = {
  id: 'mal-xml',
  kind: 'interactions',
  description: "A user's MyAnimeList list export (XML, .xml or .xml.gz)",
  header: '<myanimelist><myinfo>…</myinfo><anime>…</anime></myanimelist>',
  defaultUserSource: 'mal',
  // Titles, types and episode counts in an export are whatever the uploader wrote: catalogue data
  // comes from catalogue sources only.
  userList: true,
  detect: (head) => /<myanimelist[\s>]/i.test(head.slice(0, 4096)),
  async *read(source) {
    const parts: Buffer[] = [];
    for await (const chunk of source.chunks) parts.push(chunk);
    const xml = Buffer.concat(parts).toString('utf8');
    // MAL exports never declare a DOCTYPE; one in an upload is at best a broken file and at worst
    // an entity-expansion attack, so it is refused before any parser sees it.
    if (/<!(DOCTYPE|ENTITY)/i.test(xml)) {
      throw new DataFileError(source.file, 'has a DOCTYPE: DOCTYPE/entities are not allowed in a list export; upload the file exactly as MyAnimeList exported it (Profile → Export → Anime List)');
    }
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      throw new DataFileError(source.file, `is not well-formed XML: ${valid.err.msg} at line ${valid.err.line}, column ${valid.err.col}; re-export the list from MyAnimeList`);
    }
    const parsed = new XMLParser({ parseTagValue: false, trimValues: true, isArray: (name) => name === 'anime' }).parse(xml) as {
      myanimelist?: { myinfo?: Record<string, XmlValue>; anime?: XmlAnime[] };
    };
    const root = parsed.myanimelist;
    if (root === undefined) throw new DataFileError(source.file, 'has no <myanimelist> root element; is this a MyAnimeList export?');
    const user = text(root.myinfo?.user_name) || text(root.myinfo?.user_id);
    if (user === '') throw new DataFileError(source.file, 'has no <myinfo><user_name>; the export is incomplete, re-export it from MyAnimeList');
    if (user.length > MAX_USER_ID_LENGTH || [...user].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
      throw new DataFileError(source.file, `<user_name> is not a MyAnimeList user name (at most ${MAX_USER_ID_LENGTH} characters, no control characters); re-export the list from MyAnimeList`);
    }
    const entries = root.anime ?? [];
    const lines = animeElementLines(xml);
    const chunk: ImportChunk = { anime: [], interactions: [], problems: [], rowsRead: entries.length, bytesRead: Buffer.byteLength(xml) };
    const seen = new Set<number>();
    entries.forEach((entry, index) => {
      const line = lines[index] ?? 0;
      const problem = (column: string, reason: RowProblem['reason'], message: string): void => {
        chunk.problems.push({ file: source.file, line, column, reason, message });
      };
      const idText = text(entry.series_animedb_id);
      const animeId = parseInteger(idText);
      if (!(animeId > 0)) return problem('series_animedb_id', idText === '' ? 'missing_field' : 'bad_number', badValueMessage('series_animedb_id', idText, 'a MAL anime id'));
      const score = parseInteger(text(entry.my_score) || '0');
      if (Number.isNaN(score)) return problem('my_score', 'bad_number', badValueMessage('my_score', text(entry.my_score), 'an integer'));
      if (score < 0 || score > 10) return problem('my_score', 'score_out_of_range', `my_score ${score} is outside 0–10 (0 = not scored)`);
      const statusText = text(entry.my_status).toLowerCase();
      const status = STATUS_BY_TEXT[statusText];
      if (status === undefined) {
        return problem('my_status', 'unknown_status', badValueMessage('my_status', text(entry.my_status), 'Watching, Completed, On-Hold, Dropped or Plan to Watch'));
      }
      if (seen.has(animeId)) return problem('series_animedb_id', 'duplicate_row', `anime ${animeId} is listed twice; the first entry is kept`);
      seen.add(animeId);
      const title = decodeHtmlEntities(text(entry.series_title));
      const interaction: Interaction = { user, animeId, score: score === 0 ? null : score, status, updatedAt: finishDate(text(entry.my_finish_date)), line };
      if (title) interaction.title = title;
      chunk.interactions.push(interaction);
    });
    yield chunk;
  },
};
