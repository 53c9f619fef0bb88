import { readBeirCorpus } from './formats/beir-jsonl';
import type { Passage } from './formats/types';

/**
 * What a cross-encoder reads of a BEIR document: title and text joined by a space and trimmed, as
 * BEIR's own re-ranking evaluation builds it (`(title + " " + text).strip()` in beir/reranking).
 */
export function passageText(p: Passage): string {
  return `${p.title} ${p.text}`.trim();
}

/**
 * The passages of the documents in `needed`, read from `corpus.jsonl` on the first call and kept for
 * later ones (one read per prepared dataset, and none at all while only run files are scored). Only
 * the needed documents are kept, so memory is bounded by the candidates, not the corpus. A needed
 * document the corpus lacks is the benchmark's error, naming the candidates file.
 */
export function lazyPassages(
  path: string,
  needed: ReadonlySet<string>,
  candidatesName: string,
): () => Promise<ReadonlyMap<string, string>> {
  let loading: Promise<ReadonlyMap<string, string>> | undefined;
  const load = async () => {
    const corpus = await readBeirCorpus(path, { name: 'corpus.jsonl', only: needed });
    const passages = new Map<string, string>();
    for (const docid of needed) {
      const doc = corpus.get(docid);
      if (!doc) throw new Error(`${candidatesName} lists document '${docid}', which corpus.jsonl does not have`);
      passages.set(docid, passageText(doc));
    }
    return passages;
  };
  return () => {
    if (!loading) {
      loading = load();
      // a failed read (an I/O error, say) is tried again by the next model, not remembered
      loading.catch(() => {
        loading = undefined;
      });
    }
    return loading;
  };
}
