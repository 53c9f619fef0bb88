'use client';
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage, trpc } from '../lib/trpc';

/**
 * Sign in or sign up; errors are shown next to the field they are about. `next` is where to go
 * afterwards, already checked by the page to be a path on this site (`safeNextPath`).
 */
export function AuthForm({ mode, next }: { mode: 'signin' | 'signup'; next: string }) {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const m = useMutation({
    mutationFn: () =>
      mode === 'signup'
        ? trpc.auth.signUp.mutate({ email, name, password })
        : trpc.auth.signIn.mutate({ email, password }),
    onSuccess: () => {
      router.push(next);
      router.refresh();
    },
  });
  const msg = m.error ? errorMessage(m.error) : '';
  const about = (field: string) => (msg.toLowerCase().includes(field) ? msg : '');
  const general = msg && !about('email') && !about('password') && !about('name') ? msg : '';
  return (
    // method="post": if the script has not loaded, a plain submit must never put the password in the URL
    <form
      method="post"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
      style={{ display: 'grid', gap: '0.8rem', maxWidth: 380 }}
      noValidate
      data-next={next}
    >
      <label>
        Email
        <input
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={!!about('email')}
          aria-describedby="email-error"
        />
        <span id="email-error" className="field-error" role="alert">
          {about('email')}
        </span>
      </label>
      {mode === 'signup' && (
        <label>
          Name
          <input
            name="name"
            autoComplete="name"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={!!about('name')}
            aria-describedby="name-error"
          />
          <span id="name-error" className="field-error" role="alert">
            {about('name')}
          </span>
        </label>
      )}
      <label>
        Password
        <input
          type="password"
          name="password"
          autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={!!about('password')}
          aria-describedby="password-error"
        />
        <span id="password-error" className="field-error" role="alert">
          {about('password')}
        </span>
      </label>
      {general && (
        <p className="notice error" role="alert">
          {general}
        </p>
      )}
      <button type="submit" disabled={m.isPending}>
        {mode === 'signup'
          ? m.isPending
            ? 'Creating account…'
            : 'Create account'
          : m.isPending
            ? 'Signing in…'
            : 'Sign in'}
      </button>
      <p className="small">
        {mode === 'signup' ? (
          <>
            Already have an account? <Link href={withNext('/signin', next)}>Sign in</Link>
          </>
        ) : (
          <>
            No account yet? <Link href={withNext('/signup', next)}>Sign up</Link>
          </>
        )}
      </p>
    </form>
  );
}

const withNext = (page: string, next: string) =>
  next === '/account' ? page : `${page}?next=${encodeURIComponent(next)}`;
