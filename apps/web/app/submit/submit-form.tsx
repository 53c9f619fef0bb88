'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { familyView } from '../../families';
import { parseHyperparameters } from '../../lib/hyperparameters';
import { errorMessage, trpc } from '../../lib/trpc';
import { ArtifactField, type Picked } from './artifact-field';
import { packZip } from './pack-directory';
import { checkArtifact, checkDirectory, tooLarge } from './validate';

type Benchmark = Awaited<ReturnType<typeof trpc.benchmarks.list.query>>[number];

function NewMethod({ team, onCreated }: { team: string; onCreated: (id: string) => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [paperUrl, setPaperUrl] = useState('');
  const [codeUrl, setCodeUrl] = useState('');
  const [hyper, setHyper] = useState('');
  const [tags, setTags] = useState('');
  const parsedHyper = parseHyperparameters(hyper);
  const create = useMutation({
    mutationFn: () =>
      trpc.methods.create.mutate({
        team,
        name,
        description,
        paperUrl: paperUrl || undefined,
        codeUrl: codeUrl || undefined,
        hyperparameters: parsedHyper.ok ? parsedHyper.value : {},
        tags: tags.split(/[\s,]+/).filter(Boolean),
      }),
    onSuccess: (m) => {
      void qc.invalidateQueries({ queryKey: ['methods', team] });
      onCreated(m.id);
    },
  });
  const msg = create.error ? errorMessage(create.error) : '';
  const at = (field: string) => (msg.includes(field) ? msg : '');
  const general =
    msg && !['name', 'paperUrl', 'codeUrl', 'hyperparameters', 'tag'].some((f) => msg.includes(f)) ? msg : '';
  return (
    <fieldset className="card" style={{ display: 'grid', gap: '0.6rem' }}>
      <legend>New method in {team}</legend>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required aria-describedby="m-name-err" />
        <span id="m-name-err" className="field-error">
          {at('name')}
        </span>
      </label>
      <label>
        Description
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
      </label>
      <label>
        Paper URL
        <input
          type="url"
          value={paperUrl}
          onChange={(e) => setPaperUrl(e.target.value)}
          aria-describedby="m-paper-err"
        />
        <span id="m-paper-err" className="field-error">
          {at('paperUrl')}
        </span>
      </label>
      <label>
        Code URL
        <input type="url" value={codeUrl} onChange={(e) => setCodeUrl(e.target.value)} aria-describedby="m-code-err" />
        <span id="m-code-err" className="field-error">
          {at('codeUrl')}
        </span>
      </label>
      <label>
        Hyperparameters (optional)
        <input
          value={hyper}
          onChange={(e) => setHyper(e.target.value)}
          placeholder="learningRate=3e-4, rank=8"
          aria-describedby="m-hyper-err"
          aria-invalid={!parsedHyper.ok}
        />
        <span id="m-hyper-err" className="field-error">
          {parsedHyper.ok ? at('hyperparameters') : parsedHyper.error}
        </span>
      </label>
      <label>
        Tags (comma separated)
        <input
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          placeholder="open-weights, 7b"
          aria-describedby="m-tag-err"
        />
        <span id="m-tag-err" className="field-error">
          {at('tag')}
        </span>
      </label>
      {general && (
        <p className="notice error" role="alert">
          {general}
        </p>
      )}
      <div>
        <button
          type="button"
          onClick={() => create.mutate()}
          disabled={create.isPending || !name.trim() || !parsedHyper.ok}
        >
          Create method
        </button>
      </div>
    </fieldset>
  );
}

export function SubmitForm({ benchmarks, initialBenchmark }: { benchmarks: Benchmark[]; initialBenchmark?: string }) {
  const router = useRouter();
  const [benchmarkId, setBenchmarkId] = useState(
    benchmarks.find((b) => b.id === initialBenchmark)?.id ?? benchmarks[0]?.id ?? '',
  );
  const benchmark = benchmarks.find((b) => b.id === benchmarkId);
  // what the benchmark's family accepts and checks before uploading
  const submitSpec = benchmark ? familyView(benchmark.family).submit : undefined;
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => trpc.teams.mine.query() });
  const [team, setTeam] = useState('');
  const teamSlug = team || teams.data?.[0]?.slug || '';
  const methods = useQuery({
    queryKey: ['methods', teamSlug],
    queryFn: () => trpc.methods.list.query({ team: teamSlug }),
    enabled: !!teamSlug,
  });
  const [method, setMethod] = useState('');
  const [creating, setCreating] = useState(false);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [fileError, setFileError] = useState('');
  const [packing, setPacking] = useState(false);
  const [note, setNote] = useState('');
  const [isPublic, setIsPublic] = useState(true);
  const methodId = method || methods.data?.[0]?.id || '';

  const upload = useMutation({
    mutationFn: async () => {
      if (!benchmark || !picked || !methodId) throw new Error('choose a benchmark, a method and an artifact');
      const fail = (problem: string) => {
        setFileError(problem);
        return new Error(problem);
      };
      const max = benchmark.maxArtifactBytes;
      let artifact: Blob;
      if (picked.kind === 'file') {
        const spec = submitSpec?.artifact;
        const problem = await checkArtifact(picked.file, max, spec?.check, spec?.kind);
        if (problem) throw fail(problem);
        artifact = picked.file;
      } else {
        const problem = checkDirectory(picked.name, picked.files, max, submitSpec?.directory?.check);
        if (problem) throw fail(problem);
        setPacking(true);
        try {
          const zip = await packZip(picked.files);
          // the size was checked from the files' sizes; a file that grew since is caught here
          if (zip.length > max) throw fail(tooLarge('the packed directory', zip.length, max));
          artifact = new Blob([zip], { type: 'application/zip' });
        } finally {
          setPacking(false);
        }
      }
      const q = new URLSearchParams({ benchmark: benchmark.id, method: methodId, public: String(isPublic) });
      if (note) q.set('note', note);
      const res = await fetch(`/api/submissions?${q}`, {
        method: 'POST',
        body: artifact,
        headers: { 'content-type': artifact.type || 'application/octet-stream' },
      });
      const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { message?: string } };
      if (!res.ok || !body.id) throw new Error(body.error?.message ?? `upload failed (HTTP ${res.status})`);
      return body.id;
    },
    onSuccess: (id) => router.push(`/s/${id}`),
  });

  if (teams.data && teams.data.length === 0) {
    return (
      <p className="notice">
        You need a team to submit. <a href="/account">Create one on your account page</a>, then come back.
      </p>
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        upload.mutate();
      }}
      style={{ display: 'grid', gap: '1rem', maxWidth: 640 }}
      aria-label="Submit an artifact"
    >
      <label>
        Benchmark
        <select
          value={benchmarkId}
          onChange={(e) => {
            // another family may take another kind of artifact: choose again
            setBenchmarkId(e.target.value);
            setPicked(null);
            setFileError('');
          }}
          name="benchmark"
        >
          {benchmarks.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name} ({b.family})
            </option>
          ))}
        </select>
      </label>
      <label>
        Team
        <select value={teamSlug} onChange={(e) => setTeam(e.target.value)} name="team">
          {teams.data?.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.name} ({t.slug})
            </option>
          ))}
        </select>
      </label>
      <label>
        Method
        <select
          value={methodId}
          onChange={(e) => {
            if (e.target.value === '__new') setCreating(true);
            else setMethod(e.target.value);
          }}
          name="method"
        >
          {methods.data?.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
          <option value="__new">+ new method…</option>
        </select>
      </label>
      {(creating || (methods.data && methods.data.length === 0)) && teamSlug && (
        <NewMethod
          team={teamSlug}
          onCreated={(id) => {
            setMethod(id);
            setCreating(false);
          }}
        />
      )}
      <ArtifactField
        key={benchmarkId}
        submit={submitSpec}
        maxBytes={benchmark?.maxArtifactBytes}
        picked={picked}
        error={fileError}
        onPick={(p, problem) => {
          setPicked(p);
          setFileError(problem);
        }}
      />
      <label>
        Note (optional)
        <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
      </label>
      <label style={{ flexDirection: 'row', alignItems: 'center', gap: '0.5rem' }}>
        <input type="checkbox" checked={isPublic} onChange={(e) => setIsPublic(e.target.checked)} /> Public (shown on
        the leaderboard)
      </label>
      {upload.error && !fileError && (
        <p className="notice error" role="alert">
          {errorMessage(upload.error)}
        </p>
      )}
      <div>
        <button type="submit" disabled={upload.isPending || !picked || !!fileError || !methodId}>
          {packing ? 'Packing…' : upload.isPending ? 'Uploading…' : 'Submit'}
        </button>
      </div>
    </form>
  );
}
