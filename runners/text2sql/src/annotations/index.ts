import type { AnnotationCodec } from '@trueboard/contracts';
import { birdCodec } from './bird';
import { spiderCodec } from './spider';

/** The text-to-SQL dataset layouts whose gold can be corrected, most specific first. */
export const text2sqlCodecs: readonly AnnotationCodec[] = [spiderCodec, birdCodec];

export { arrayElementSpans, JsonShapeError } from './json-spans';
export { birdCodec, spiderCodec };
