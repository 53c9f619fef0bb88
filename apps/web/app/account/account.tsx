'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { fmtDate } from '../../lib/format';
import { errorMessage, trpc } from '../../lib/trpc';

function SecretOnce({ secret, what }: { secret: string; what: string }) {
  return (
    <div className="notice secret" role="status">
      <p style={{ margin: 0 }}>Your new {what} — copy it now, it is shown only once:</p>
      <pre data-testid="new-secret">{secret}</pre>
    </div>
  );
}

function Teams() {
  const qc = useQueryClient();
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => trpc.teams.mine.query() });
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => trpc.teams.create.mutate({ slug, name }),
    onSuccess: () => {
      setSlug('');
      setName('');
      void qc.invalidateQueries({ queryKey: ['teams'] });
    },
  });
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section aria-labelledby="teams-title">
      <h2 id="teams-title">Teams</h2>
      {teams.data?.length ? (
        <ul>
          {teams.data.map((t) => (
            <li key={t.id}>
              <strong>{t.name}</strong> <code>{t.slug}</code> — {t.role}{' '}
              <button
                type="button"
                className="secondary"
                onClick={() => setOpen(open === t.slug ? null : t.slug)}
                aria-expanded={open === t.slug}
              >
                {open === t.slug ? 'Hide members' : 'Members'}
              </button>
              {open === t.slug && <Members team={t.slug} canManage={t.role === 'admin'} />}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">You are not in a team yet. A team owns methods and submissions.</p>
      )}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
        aria-label="Create a team"
      >
        <label>
          Team id (lowercase, dashes)
          <input
            name="slug"
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            required
            pattern="[a-z0-9][a-z0-9-]*[a-z0-9]"
          />
        </label>
        <label>
          Team name
          <input name="team-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create team
        </button>
        {create.error && (
          <span className="field-error" role="alert">
            {errorMessage(create.error)}
          </span>
        )}
      </form>
    </section>
  );
}

function Members({ team, canManage }: { team: string; canManage: boolean }) {
  const qc = useQueryClient();
  const members = useQuery({ queryKey: ['members', team], queryFn: () => trpc.teams.members.query({ team }) });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'reviewer' | 'maintainer' | 'admin'>('member');
  const add = useMutation({
    mutationFn: () => trpc.teams.setMember.mutate({ team, email, role }),
    onSuccess: () => {
      setEmail('');
      void qc.invalidateQueries({ queryKey: ['members', team] });
    },
  });
  return (
    <div className="card" style={{ margin: '0.5rem 0' }}>
      <ul className="small">
        {members.data?.map((m) => (
          <li key={m.userId}>
            {m.name} ({m.email}) — {m.role}
          </li>
        ))}
      </ul>
      {canManage && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
          aria-label={`Add a member to ${team}`}
        >
          <label>
            Email of an existing account
            <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
              <option value="member">member</option>
              <option value="reviewer">reviewer</option>
              <option value="maintainer">maintainer</option>
              <option value="admin">admin</option>
            </select>
          </label>
          <button type="submit" disabled={add.isPending}>
            Add or change
          </button>
          {add.error && (
            <span className="field-error" role="alert">
              {errorMessage(add.error)}
            </span>
          )}
        </form>
      )}
    </div>
  );
}

function Tokens({ runner }: { runner: boolean }) {
  const qc = useQueryClient();
  const key = [runner ? 'runner-tokens' : 'tokens'];
  const list = useQuery({
    queryKey: key,
    queryFn: () => (runner ? trpc.runnerTokens.list.query() : trpc.tokens.list.query()),
  });
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => (runner ? trpc.runnerTokens.create.mutate({ name }) : trpc.tokens.create.mutate({ name })),
    onSuccess: (t) => {
      setSecret(t.secret);
      setName('');
      void qc.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => (runner ? trpc.runnerTokens.revoke.mutate({ id }) : trpc.tokens.revoke.mutate({ id })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: key }),
  });
  const what = runner ? 'runner token' : 'API token';
  return (
    <section aria-labelledby={`${key[0]}-title`}>
      <h2 id={`${key[0]}-title`}>{runner ? 'Runner tokens' : 'API tokens'}</h2>
      <p className="small muted">
        {runner
          ? 'A runner token lets `trueboard runner` on another machine claim evaluation jobs. It grants nothing else.'
          : 'For the CLI: `trueboard submit --token …`. Tokens act as you; revoke the ones you no longer use.'}
      </p>
      {secret && <SecretOnce secret={secret} what={what} />}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setSecret(null);
          create.mutate();
        }}
        aria-label={`Create ${what}`}
      >
        <label>
          Name of the new {what}
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            placeholder={runner ? 'gpu-box-1' : 'laptop'}
          />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create {what}
        </button>
        {create.error && (
          <span className="field-error" role="alert">
            {errorMessage(create.error)}
          </span>
        )}
      </form>
      {list.data && list.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="skip">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id} data-testid="token-row">
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{fmtDate(t.createdAt)}</td>
                  <td>{t.revokedAt ? `revoked ${fmtDate(t.revokedAt)}` : 'active'}</td>
                  <td>
                    {!t.revokedAt && (
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => revoke.mutate(t.id)}
                        disabled={revoke.isPending}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function Account({ isAdmin }: { isAdmin: boolean }) {
  const router = useRouter();
  const signOut = useMutation({
    mutationFn: () => trpc.auth.signOut.mutate(),
    onSuccess: () => {
      router.push('/');
      router.refresh();
    },
  });
  return (
    <>
      <p>
        <button type="button" className="secondary" onClick={() => signOut.mutate()}>
          Sign out
        </button>
      </p>
      <Teams />
      <Tokens runner={false} />
      {isAdmin && <Tokens runner />}
    </>
  );
}
