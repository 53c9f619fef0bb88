/** The deterministic directory packer lives in core (bundled baselines are directories too); the CLI imports it from here. */
export { packDirectory } from '@trueboard/core/pack-directory';
