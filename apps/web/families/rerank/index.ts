import { plainView } from '../plain-view';

/** Re-ranking: no display of its own yet; rows show their data as JSON. */
export const rerankView = plainView('Re-ranking');
