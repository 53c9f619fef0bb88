import pkg from '../package.json' with { type: 'json' };

/** The kit's package version, reported at registration and in every report's provenance. */
export const RUNNER_VERSION: string = pkg.version;
