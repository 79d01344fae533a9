import nlp from 'compromise';

/** Text segmentation: text → sentences → content words, and sentences → compromise documents. */

export type TaggedDocument = ReturnType<typeof nlp>;

/**
 * compromise slows down super-linearly on long blocks of odd text (runs of periods, chains of
 * hyphenated words, many repeated short sentences), so it only ever sees blocks this small.
 */
const MAX_BLOCK_CHARS = 2_000;

/**
 * Part-of-speech tagging costs roughly 0.6 s per 100 KB on one core, so entities and topics of a
 * longer document come from its first 100 KB; summary, sentiment and language still see all of it.
 */
const MAX_TAGGED_CHARS = 100_000;

const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;
const HAS_LETTER = /\p{L}/u;
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
const SENTENCE_END = /[.!?…]["'”’)\]]*\s/g;

export function splitSentences(text: string): string[] {
  return splitIntoBlocks(text, MAX_BLOCK_CHARS)
    .filter((block) => HAS_WORD_CHARACTER.test(block))
    .flatMap((block) => nlp.tokenize(block).out('array') as string[])
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter((sentence) => HAS_WORD_CHARACTER.test(sentence));
}

/** Lowercase words that carry meaning: no stopwords, no bare numbers, possessive 's removed. */
export function contentWords(sentence: string, stopwords: ReadonlySet<string>): string[] {
  const words = sentence.toLowerCase().replace(/’/g, "'").match(WORD) ?? [];
  return words
    .map((word) => word.replace(/'s$/, ''))
    .filter((word) => word.length > 1 && HAS_LETTER.test(word) && !stopwords.has(word));
}

/** Tags the document's first MAX_TAGGED_CHARS, in blocks of whole sentences. */
export function tagBoundedPrefix(sentences: readonly string[]): TaggedDocument[] {
  return groupIntoBlocks(sentences, MAX_BLOCK_CHARS, MAX_TAGGED_CHARS).map((block) => nlp(block));
}

export function splitIntoBlocks(text: string, maxChars: number): string[] {
  const blocks: string[] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    const window = text.slice(start, start + maxChars);
    const cut = naturalCutPoint(window);
    blocks.push(window.slice(0, cut));
    start += cut;
  }
  if (start < text.length) blocks.push(text.slice(start));
  return blocks;
}

/** Cut after the last line break or sentence end, else the last space; a hard cut only when there is none. */
function naturalCutPoint(window: string): number {
  const boundary = Math.max(window.lastIndexOf('\n') + 1, lastSentenceEnd(window));
  if (boundary > 0) return boundary;
  const space = window.lastIndexOf(' ');
  if (space > 0) return space + 1;
  return isHighSurrogate(window.charCodeAt(window.length - 1)) ? window.length - 1 : window.length;
}

function lastSentenceEnd(window: string): number {
  let end = 0;
  for (const match of window.matchAll(SENTENCE_END)) end = match.index + match[0].length;
  return end;
}

function isHighSurrogate(charCode: number): boolean {
  return charCode >= 0xd800 && charCode <= 0xdbff;
}

/** Joins sentences with line breaks (which compromise treats as sentence boundaries) into blocks. */
function groupIntoBlocks(sentences: readonly string[], maxBlockChars: number, maxTotalChars: number): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let currentChars = 0;
  let totalChars = 0;
  for (const sentence of sentences) {
    if (totalChars + sentence.length > maxTotalChars) break;
    if (currentChars + sentence.length > maxBlockChars && current.length > 0) {
      blocks.push(current.join('\n'));
      current = [];
      currentChars = 0;
    }
    current.push(sentence);
    currentChars += sentence.length + 1;
    totalChars += sentence.length + 1;
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}
