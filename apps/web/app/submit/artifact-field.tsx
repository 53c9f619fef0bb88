'use client';
import { type InputHTMLAttributes, useState } from 'react';
import type { FamilyView } from '../../families';
import { fmtBytes } from '../../lib/format';
import { type DirectoryFile, directoryFiles, zipSize } from './pack-directory';
import { checkArtifact, checkDirectory } from './validate';

/** What the submitter chose: one file, or the files of one directory (packed into a .zip on submit). */
export type Picked = { kind: 'file'; file: File } | { kind: 'directory'; name: string; files: DirectoryFile[] };
type Mode = Picked['kind'];

/** `webkitdirectory` (every browser has it under this name) makes a file input pick one directory. */
const PICK_DIRECTORY = { webkitdirectory: '', multiple: true } as InputHTMLAttributes<HTMLInputElement>;
const LISTED = 6;

/** The modes an artifact spec allows: `file`, `directory`, or both (e.g. `file-or-directory`). */
export function modesOf(kind: string | undefined): Mode[] {
  if (kind === undefined || kind === 'file') return ['file'];
  return kind === 'directory' ? ['directory'] : ['file', 'directory'];
}

/**
 * The artifact input of the submit form: a file, or (when the family's artifact spec allows it) a
 * directory chosen with the browser's directory picker. Each choice is checked at once (size against
 * the benchmark's limit, then the family's check) and the problem shown next to the field.
 */
export function ArtifactField({
  submit,
  maxBytes,
  picked,
  error,
  onPick,
}: {
  submit: FamilyView['submit'] | undefined;
  maxBytes: number | undefined;
  picked: Picked | null;
  error: string;
  onPick(picked: Picked | null, error: string): void;
}) {
  const artifact = submit?.artifact;
  const modes = modesOf(artifact?.kind);
  const [chosen, setChosen] = useState<Mode>(modes[0] ?? 'file');
  const mode = modes.includes(chosen) ? chosen : (modes[0] ?? 'file');
  const limit = maxBytes !== undefined ? `at most ${fmtBytes(maxBytes)}` : '';
  const errorSpan = (
    <span id="file-error" className="field-error" role="alert">
      {error}
    </span>
  );
  const fileInput = (
    <label>
      {modes.length > 1 ? 'Artifact file' : 'Artifact'}
      {limit ? ` (${limit})` : ''}
      <input
        type="file"
        name="artifact"
        accept={artifact?.extensions.join(',') || undefined}
        aria-describedby="file-error"
        aria-invalid={!!error}
        onChange={async (e) => {
          const f = e.target.files?.[0] ?? null;
          if (!f) return onPick(null, '');
          onPick({ kind: 'file', file: f }, (await checkArtifact(f, maxBytes, artifact?.check, artifact?.kind)) ?? '');
        }}
      />
      {errorSpan}
    </label>
  );
  const directoryInput = (
    <label>
      Artifact directory ({[limit, 'packed into one .zip in your browser'].filter(Boolean).join(', ')})
      <input
        type="file"
        name="artifact-directory"
        {...PICK_DIRECTORY}
        aria-describedby="directory-help file-error"
        aria-invalid={!!error}
        onChange={(e) => {
          const files = e.target.files;
          if (!files || files.length === 0) return onPick(null, '');
          const { name, files: list } = directoryFiles(files);
          onPick(
            { kind: 'directory', name, files: list },
            checkDirectory(name, list, maxBytes, submit?.directory?.check) ?? '',
          );
        }}
      />
      {submit?.directory && (
        <span id="directory-help" className="small muted" style={{ fontWeight: 'normal' }}>
          Expected: {submit.directory.help}.
        </span>
      )}
      {picked?.kind === 'directory' && (
        <span className="small" style={{ fontWeight: 'normal' }} data-testid="directory-summary">
          {picked.files.length} file{picked.files.length === 1 ? '' : 's'} in {picked.name || 'the directory'},{' '}
          {fmtBytes(zipSize(picked.files))} packed:{' '}
          {picked.files
            .slice(0, LISTED)
            .map((f) => f.path)
            .join(', ')}
          {picked.files.length > LISTED ? ', …' : ''}
        </span>
      )}
      {errorSpan}
    </label>
  );
  if (modes.length === 1) return mode === 'directory' ? directoryInput : fileInput;
  return (
    <fieldset style={{ display: 'grid', gap: '0.5rem', border: 0, padding: 0, margin: 0 }}>
      <legend>Artifact: a file or a directory</legend>
      <div style={{ display: 'flex', gap: '1rem' }}>
        {(['file', 'directory'] as const).map((m) => (
          <label key={m} style={{ flexDirection: 'row', alignItems: 'center', gap: '0.4rem' }}>
            <input
              type="radio"
              name="artifact-kind"
              value={m}
              checked={mode === m}
              onChange={() => {
                setChosen(m);
                onPick(null, '');
              }}
            />
            {m === 'file' ? 'a file' : 'a directory'}
          </label>
        ))}
      </div>
      {mode === 'directory' ? directoryInput : fileInput}
    </fieldset>
  );
}
