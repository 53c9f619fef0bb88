'use client';
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage, trpc } from '../lib/trpc';

/** Sign in or sign up; errors are shown next to the field they are about. */
export function AuthForm({ mode }: { mode: 'signin' | 'signup' }) {
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
      const next = new URLSearchParams(window.location.search).get('next');
      router.push(next?.startsWith('/') && !next.startsWith('//') ? next : '/account');
      router.refresh();
    },
  });
  const msg = m.error ? errorMessage(m.error) : '';
  const about = (field: string) => (msg.toLowerCase().includes(field) ? msg : '');
  const general = msg && !about('email') && !about('password') && !about('name') ? msg : '';
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
      style={{ display: 'grid', gap: '0.8rem', maxWidth: 380 }}
      noValidate
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
            Already have an account? <Link href="/signin">Sign in</Link>
          </>
        ) : (
          <>
            No account yet? <Link href="/signup">Sign up</Link>
          </>
        )}
      </p>
    </form>
  );
}
