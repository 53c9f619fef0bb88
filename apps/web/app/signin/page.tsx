import type { Metadata } from 'next';
import { AuthForm } from '../../components/auth-form';
import { safeNextPath } from '../../lib/safe-next';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  return (
    <>
      <h1>Sign in</h1>
      <AuthForm mode="signin" next={safeNextPath(Array.isArray(next) ? next[0] : next)} />
    </>
  );
}
