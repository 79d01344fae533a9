import type { AnalysisContent } from '../analysis-result';
import type { TaggedDocument } from './sentences';

type Entity = AnalysisContent['entities'][number];
export type EntityType = 'person' | 'organization' | 'place' | 'money' | 'date';

interface Mention {
  name: string;
  type: EntityType;
}

interface EntityTally {
  name: string;
  mentions: number;
  mentionsByType: Map<EntityType, number>;
}

const MAX_ENTITIES = 25;
const NAME_TYPES: ReadonlySet<EntityType> = new Set(['person', 'organization', 'place']);
/** Periods that belong to the name ("U.S.", "Apple Inc.") rather than end the sentence. */
const PERIOD_OF_ABBREVIATION = /(?:\b\p{L}\.\p{L}|\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Bros))\.$/u;

/** People, organizations, places, money and dates, most mentioned first. */
export function extractEntities(documents: readonly TaggedDocument[]): Entity[] {
  const tallies = foldPartialPersonNames(tallyMentions(documents.flatMap(mentionsIn)));
  return tallies
    .sort((a, b) => b.mentions - a.mentions)
    .slice(0, MAX_ENTITIES)
    .map((tally) => ({ name: tally.name, type: mostMentionedType(tally) }));
}

function mentionsIn(document: TaggedDocument): Mention[] {
  const found = (texts: string[], type: EntityType): Mention[] =>
    texts.map((text) => ({ name: cleanEntityName(text, type), type }));
  return [
    ...found(document.people().out('array'), 'person'),
    ...found(document.organizations().out('array'), 'organization'),
    ...found(document.places().out('array'), 'place'),
    ...found(document.match('#Money+ #Multiple? #Currency?').out('array'), 'money'),
    ...found(document.match('#Date+').out('array'), 'date'),
  ].filter(isEntityWorthy);
}

/** Drops sentence punctuation, quotes, possessives and lowercase titles ("président Emmanuel Macron") around a name. */
export function cleanEntityName(text: string, type: EntityType): string {
  let name = text.replace(/\s+/g, ' ').trim().replace(/^[^\p{L}\p{N}$€£¥]+/u, '');
  name = stripTrailingPunctuation(name).replace(/['’]s?$/u, '');
  name = stripTrailingPunctuation(name);
  return NAME_TYPES.has(type) ? name.replace(/^(?:\p{Ll}\S*\s+)+/u, '') : name;
}

function stripTrailingPunctuation(name: string): string {
  const withoutMarks = name.replace(/[\s,;:!?"'“”‘’()[\]{}«»…-]+$/u, '');
  if (!withoutMarks.endsWith('.') || PERIOD_OF_ABBREVIATION.test(withoutMarks)) return withoutMarks;
  return stripTrailingPunctuation(withoutMarks.slice(0, -1));
}

/** Names start with a capital letter or digit; dates must be specific ("March 3", "Tuesday", not "next month"). */
function isEntityWorthy({ name, type }: Mention): boolean {
  if (!/\p{L}|\p{N}/u.test(name)) return false;
  if (NAME_TYPES.has(type)) return /^[\p{Lu}\p{N}]/u.test(name);
  if (type === 'date') return /[\p{Lu}\p{N}]/u.test(name);
  return true;
}

function tallyMentions(mentions: readonly Mention[]): EntityTally[] {
  const tallies = new Map<string, EntityTally>();
  for (const { name, type } of mentions) {
    const key = name.toLowerCase();
    const tally = tallies.get(key) ?? { name, mentions: 0, mentionsByType: new Map<EntityType, number>() };
    tally.mentions += 1;
    tally.mentionsByType.set(type, (tally.mentionsByType.get(type) ?? 0) + 1);
    tallies.set(key, tally);
  }
  return [...tallies.values()];
}

/** "Cook said" after "Tim Cook announced" is the same person: a one-word name joins the full name it is part of. */
function foldPartialPersonNames(tallies: EntityTally[]): EntityTally[] {
  const fullNames = tallies.filter((tally) => mostMentionedType(tally) === 'person' && tally.name.includes(' '));
  return tallies.filter((tally) => {
    if (mostMentionedType(tally) !== 'person' || tally.name.includes(' ')) return true;
    const word = tally.name.toLowerCase();
    const fullName = fullNames.find((candidate) => candidate.name.toLowerCase().split(' ').includes(word));
    if (!fullName) return true;
    fullName.mentions += tally.mentions;
    return false;
  });
}

function mostMentionedType(tally: EntityTally): EntityType {
  let best: EntityType = 'organization';
  let bestCount = 0;
  for (const [type, count] of tally.mentionsByType) {
    if (count > bestCount) [best, bestCount] = [type, count];
  }
  return best;
}
